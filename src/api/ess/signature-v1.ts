/**
 * Alibaba Cloud signature 1.0 (HMAC-SHA1), as pop-core and Darabonba's v2 signer compute it over
 * every parameter of the query and the form body but Signature:
 *
 *   canonical    = sorted `enc(name)=enc(value)` joined by &
 *   StringToSign = METHOD & enc("/") & enc(canonical)      (the path is never signed)
 *   Signature    = base64(HMAC-SHA1(secret + "&", StringToSign))
 */
import { createHmac } from 'node:crypto'
import { AuthFailure } from '../signature/auth-failure.ts'
import { percentEncode } from './percent-encode.ts'

export interface SignatureV1Claims {
  readonly accessKeyId: string
  readonly signature: string
  readonly nonce: string
  readonly timeMs: number
  readonly stringToSign: string
}

const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/

export function stringToSignV1(method: string, params: ReadonlyMap<string, string>): string {
  const canonical = [...params]
    .filter(([name]) => name !== 'Signature')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join('&')
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonical)}`
}

export const signV1 = (stringToSign: string, secret: string): string =>
  createHmac('sha1', `${secret}&`).update(stringToSign, 'utf8').digest('base64')

/** Reads the signature parameters; throws AuthFailure('Malformed') when one is missing or wrong. */
export function readSignatureV1(method: string, params: ReadonlyMap<string, string>): SignatureV1Claims {
  const need = (name: string): string => {
    const value = params.get(name)
    if (value === undefined || value === '') {
      throw new AuthFailure('Malformed', `the request is not signed: ${name} is missing`)
    }
    return value
  }
  const signature = need('Signature')
  const accessKeyId = need('AccessKeyId')
  if (need('SignatureMethod') !== 'HMAC-SHA1') {
    throw new AuthFailure('Malformed', 'SignatureMethod must be HMAC-SHA1 (or sign with ACS3-HMAC-SHA256)')
  }
  if (need('SignatureVersion') !== '1.0') throw new AuthFailure('Malformed', 'SignatureVersion must be 1.0')
  const timestamp = need('Timestamp')
  const nonce = need('SignatureNonce')
  if (!TIMESTAMP_PATTERN.test(timestamp)) {
    throw new AuthFailure('Malformed', `Timestamp "${timestamp}" is not YYYY-MM-DDThh:mm:ssZ (UTC)`)
  }
  return { accessKeyId, signature, nonce, timeMs: Date.parse(timestamp), stringToSign: stringToSignV1(method, params) }
}
