/**
 * The part of signature checking every dialect shares, in the order that reveals least: the key
 * must exist and be active, one reading of the request must match the signature (compared in
 * constant time), its time must be within the skew, and its nonce new. Nonces are remembered only
 * for genuine requests, so junk cannot fill the replay memory.
 */
import type { Clock } from '../../ports/clock.ts'
import type { AccessKeyCredentials, AccessKeyView } from '../../service/access-keys.ts'
import { AuthFailure } from './auth-failure.ts'
import { signaturesEqual } from './constant-time.ts'
import type { NonceCache } from './nonce-cache.ts'
import { requireFreshTime } from './request-window.ts'

export interface SignatureCheck {
  readonly accessKeyId: string
  readonly signature: string
  readonly timeMs: number
  /** Each StringToSign the request may have been signed over; the first is quoted in a mismatch. */
  readonly stringsToSign: readonly string[]
  readonly sign: (stringToSign: string, secret: string) => string
  /** The replay-memory key, or null when the dialect decides replays itself (TC3). */
  readonly nonceKey: string | null
}

export interface SignatureVerifier {
  verify(check: SignatureCheck): Promise<AccessKeyView>
}

export function createSignatureVerifier(options: {
  readonly credentialsFor: (accessKeyId: string) => Promise<AccessKeyCredentials | undefined>
  readonly nonces: NonceCache
  readonly clock: Clock
}): SignatureVerifier {
  return {
    async verify(check) {
      const credentials = await options.credentialsFor(check.accessKeyId)
      if (!credentials) throw new AuthFailure('UnknownAccessKey', `access key ${check.accessKeyId} does not exist`)
      if (credentials.accessKey.status !== 'Active') {
        throw new AuthFailure('AccessKeyDisabled', `access key ${check.accessKeyId} is disabled`)
      }
      // Every candidate is computed and compared, so the time taken does not say which one matched.
      let matched = false
      for (const text of check.stringsToSign) {
        if (signaturesEqual(check.signature, check.sign(text, credentials.secret))) matched = true
      }
      if (!matched) {
        throw new AuthFailure(
          'SignatureMismatch',
          `the signature does not match; the string to sign is: ${check.stringsToSign[0] ?? ''}`,
        )
      }
      const nowMs = options.clock.nowMs()
      requireFreshTime(check.timeMs, nowMs)
      if (check.nonceKey !== null) {
        const outcome = options.nonces.remember(check.nonceKey, check.timeMs, nowMs)
        if (outcome === 'replayed') throw new AuthFailure('NonceReused', 'this signature nonce was used already')
        if (outcome === 'full') throw new AuthFailure('TooManyRequests', 'too many signed requests; retry shortly')
      }
      return credentials.accessKey
    },
  }
}
