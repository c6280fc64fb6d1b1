/**
 * Why a signed request was refused, before any service saw it. Each dialect turns a reason into
 * its cloud's error code (ESS `SignatureDoesNotMatch`, Tencent `AuthFailure.SignatureFailure`…).
 * Not a BillowError: authentication is the API layer's, and the REST API has its own.
 */
export type AuthFailureReason =
  /** No signature at all, or one this gateway cannot read (wrong algorithm, missing parts). */
  | 'Malformed'
  | 'UnknownAccessKey'
  | 'AccessKeyDisabled'
  | 'SignatureMismatch'
  /** The request's time is outside the accepted skew. */
  | 'Expired'
  | 'NonceReused'
  /** The replay memory is full: refuse rather than forget a nonce that is still fresh. */
  | 'TooManyRequests'
  /** A read-only key asked for an action that changes something. */
  | 'ReadOnlyAccessKey'

export class AuthFailure extends Error {
  override readonly name = 'AuthFailure'
  readonly reason: AuthFailureReason

  constructor(reason: AuthFailureReason, message: string) {
    super(message)
    this.reason = reason
  }
}
