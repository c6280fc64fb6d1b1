/**
 * Access keys: the id and secret pairs that the cloud dialects' SDKs sign requests with (ESS
 * signature 1.0 and V3, Tencent TC3). Unlike API tokens, whose secret is only ever compared by
 * hash, an HMAC can only be checked by recomputing it, so the secret must be recoverable: the
 * store keeps it sealed (AES-256-GCM under a key file of the data directory), never in clear.
 */
import type { AccessKeyId } from './ids.ts'

/** read-only keys may call Describe* actions only; full keys may call every action. */
export const ACCESS_KEY_SCOPES = ['full', 'read-only'] as const
export type AccessKeyScope = (typeof ACCESS_KEY_SCOPES)[number]

/** The clouds' words: an Inactive key is kept but every request signed with it is refused. */
export type AccessKeyStatus = 'Active' | 'Inactive'

export interface AccessKey {
  readonly id: AccessKeyId
  readonly name: string
  readonly scope: AccessKeyScope
  readonly status: AccessKeyStatus
  /** base64 of nonce ‖ ciphertext ‖ tag; opened only to verify a signature. */
  readonly sealedSecret: string
  readonly createdAtMs: number
}
