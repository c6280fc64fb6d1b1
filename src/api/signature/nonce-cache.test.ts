import assert from 'node:assert/strict'
import { test } from 'node:test'
import { NonceCache } from './nonce-cache.ts'
import { CLOCK_SKEW_MS } from './request-window.ts'

test('a nonce is refused while its request is fresh, forgotten after, and the cache is bounded', () => {
  const cache = new NonceCache(3)
  const now = 1_000_000_000
  assert.equal(cache.remember('a', now, now), 'fresh')
  assert.equal(cache.remember('a', now, now + 1000), 'replayed')
  assert.ok(cache.has('a', now))
  assert.equal(cache.remember('b', now, now), 'fresh')
  assert.equal(cache.remember('c', now - CLOCK_SKEW_MS + 10, now), 'fresh')
  assert.equal(cache.remember('d', now, now), 'full', 'never forgets a fresh nonce to make room')
  assert.equal(cache.remember('d', now, now + 20), 'fresh', 'room once an old one expired')
  assert.equal(cache.size, 3)
  assert.equal(cache.remember('a', now, now + CLOCK_SKEW_MS + 1), 'fresh', 'expired nonces are forgotten')
})
