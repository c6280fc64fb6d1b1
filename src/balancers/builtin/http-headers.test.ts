import assert from 'node:assert/strict'
import { test } from 'node:test'
import { downstreamResponseHeaders, upstreamRequestHeaders } from './http-headers.ts'

const client = { remoteAddress: '127.68.0.9', protocol: 'http' }
/** Raw headers as Node keeps them: [name, value, name, value, …]. */
const flat = (pairs: readonly (readonly [string, string])[]): string[] => pairs.flat()

test('request headers: hop-by-hop dropped, X-Forwarded-* set, order and repeats kept', () => {
  const raw = flat([
    ['Host', 'shop.example'],
    ['Connection', 'keep-alive, X-Private'],
    ['X-Private', 'secret'],
    ['Keep-Alive', 'timeout=5'],
    ['Accept', 'a'],
    ['Accept', 'b'],
    ['X-Forwarded-For', '203.0.113.7'],
    ['X-Forwarded-Proto', 'https'],
    ['Transfer-Encoding', 'chunked'],
    ['Expect', '100-continue'],
  ])
  const expected = flat([
    ['Host', 'shop.example'],
    ['Accept', 'a'],
    ['Accept', 'b'],
    ['Transfer-Encoding', 'chunked'],
    ['X-Forwarded-For', '203.0.113.7, 127.68.0.9'],
    ['X-Forwarded-Proto', 'http'],
    ['X-Forwarded-Host', 'shop.example'],
  ])
  assert.deepEqual(upstreamRequestHeaders(raw, client, '127.68.0.1:80'), expected)
})

test('a request without Host gets the backend address', () => {
  const expected = flat([
    ['Host', '127.68.0.1:8080'],
    ['X-Forwarded-For', '127.68.0.9'],
    ['X-Forwarded-Proto', 'http'],
    ['X-Forwarded-Host', '127.68.0.1:8080'],
  ])
  assert.deepEqual(upstreamRequestHeaders([], client, '127.68.0.1:8080'), expected)
})

test('response headers: framing and hop-by-hop headers are the proxy’s own', () => {
  const raw = flat([
    ['Content-Type', 'text/plain'],
    ['Transfer-Encoding', 'chunked'],
    ['Connection', 'close'],
    ['Set-Cookie', 'a=1'],
    ['Set-Cookie', 'b=2'],
  ])
  const expected = flat([
    ['Content-Type', 'text/plain'],
    ['Set-Cookie', 'a=1'],
    ['Set-Cookie', 'b=2'],
  ])
  assert.deepEqual(downstreamResponseHeaders(raw), expected)
})
