import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { AccessKeyId } from '../../core/ids.ts'
import type { AccessKeyCredentials } from '../../service/access-keys.ts'
import { AuthFailure, type AuthFailureReason } from './auth-failure.ts'
import { NonceCache } from './nonce-cache.ts'
import { CLOCK_SKEW_MS } from './request-window.ts'
import { createSignatureVerifier, type SignatureCheck } from './verify.ts'

const NOW_MS = Date.UTC(2026, 10, 22, 8, 0, 0)
const key = (status: 'Active' | 'Inactive'): AccessKeyCredentials => ({
  accessKey: { id: 'ak-1' as AccessKeyId, name: 'k', scope: 'full', status, createdAtMs: 0 },
  secret: 's3cret',
})

test('unknown key, disabled key, wrong signature, stale time and a reused nonce are each refused by name', async () => {
  let status: 'Active' | 'Inactive' = 'Active'
  const verifier = createSignatureVerifier({
    credentialsFor: async (id) => (id === 'ak-1' ? key(status) : undefined),
    nonces: new NonceCache(),
    clock: { nowMs: () => NOW_MS, sleep: async () => {} },
  })
  const check = (overrides: Partial<SignatureCheck> = {}): SignatureCheck => ({
    accessKeyId: 'ak-1',
    signature: 'sig:text:s3cret',
    timeMs: NOW_MS,
    stringsToSign: ['other', 'text'],
    sign: (text, secret) => `sig:${text}:${secret}`,
    nonceKey: 'n-1',
    ...overrides,
  })
  const reason = async (value: SignatureCheck): Promise<AuthFailureReason> => {
    try {
      await verifier.verify(value)
    } catch (error) {
      assert.ok(error instanceof AuthFailure)
      return error.reason
    }
    assert.fail('verified')
  }
  assert.equal((await verifier.verify(check())).id, 'ak-1', 'any candidate string to sign may match')
  assert.equal(await reason(check()), 'NonceReused')
  assert.equal(await reason(check({ accessKeyId: 'ak-2' })), 'UnknownAccessKey')
  assert.equal(await reason(check({ nonceKey: 'n-2', signature: 'sig:text:wrong' })), 'SignatureMismatch')
  assert.equal(await reason(check({ nonceKey: 'n-3', timeMs: NOW_MS - CLOCK_SKEW_MS - 1 })), 'Expired')
  assert.equal(await reason(check({ nonceKey: 'n-4', timeMs: NOW_MS + CLOCK_SKEW_MS + 1 })), 'Expired')
  assert.ok(await verifier.verify(check({ nonceKey: 'n-5', timeMs: NOW_MS + CLOCK_SKEW_MS })))
  status = 'Inactive'
  assert.equal(await reason(check({ nonceKey: 'n-6' })), 'AccessKeyDisabled')
})
