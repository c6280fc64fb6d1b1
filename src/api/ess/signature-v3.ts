/**
 * Alibaba Cloud signature V3 (ACS3-HMAC-SHA256), the Darabonba clients' default:
 *
 *   Authorization: ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<a;b;…>,Signature=<hex>
 *   CanonicalRequest = METHOD \n URI \n sorted `name=enc(value)` \n `name:value\n`… \n SignedHeaders \n hex(sha256(body))
 *   Signature        = hex(HMAC-SHA256(secret, "ACS3-HMAC-SHA256\n" + hex(sha256(CanonicalRequest))))
 *
 * The canonical URI is the client's pathname, `/` for RPC even behind a path prefix, so both
 * `/` and the path minus the mount prefix are tried. The signed headers must cover the action,
 * the date and the nonce, or a captured request could be replayed with them changed.
 */
import { createHash, createHmac } from 'node:crypto'
import { AuthFailure } from '../signature/auth-failure.ts'
import { percentEncode } from './percent-encode.ts'

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256'
const AUTHORIZATION_PATTERN =
  /^ACS3-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/
const REQUIRED_SIGNED_HEADERS = ['host', 'x-acs-action', 'x-acs-date', 'x-acs-signature-nonce']
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/
/** More signed headers than any client sends is a request built to waste our time. */
const SIGNED_HEADERS_MAX = 32

export interface SignatureV3Request {
  readonly method: string
  /** The path as the client addressed it, minus the mount prefix (`/ess`). */
  readonly path: string
  readonly query: ReadonlyMap<string, string>
  /** Lower-case names. */
  readonly headers: (name: string) => string | undefined
  readonly body: Buffer
}

export interface SignatureV3Claims {
  readonly accessKeyId: string
  readonly signature: string
  readonly nonce: string
  readonly timeMs: number
  /** One StringToSign per canonical URI tried; the request is genuine if any matches. */
  readonly stringsToSign: readonly string[]
}

export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex')

export function canonicalRequestV3(request: SignatureV3Request, uri: string, signedHeaders: readonly string[]): string {
  const query = [...request.query]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${percentEncode(value)}`)
    .join('&')
  const headers = signedHeaders.map((name) => `${name}:${(request.headers(name) ?? '').trim()}\n`).join('')
  const payloadHash = request.headers('x-acs-content-sha256') ?? sha256Hex(request.body)
  return [request.method.toUpperCase(), uri, query, headers, signedHeaders.join(';'), payloadHash].join('\n')
}

export const stringToSignV3 = (canonicalRequest: string): string => `${ACS3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`

export const signV3 = (stringToSign: string, secret: string): string =>
  createHmac('sha256', secret).update(stringToSign, 'utf8').digest('hex')

export function readSignatureV3(request: SignatureV3Request): SignatureV3Claims {
  const match = AUTHORIZATION_PATTERN.exec((request.headers('authorization') ?? '').trim())
  if (!match) {
    throw new AuthFailure(
      'Malformed',
      'Authorization is not "ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=<64 hex>"',
    )
  }
  const [, accessKeyId = '', signedList = '', signature = ''] = match
  const signedHeaders = signedList.split(';')
  if (signedHeaders.length > SIGNED_HEADERS_MAX) throw new AuthFailure('Malformed', 'too many signed headers')
  const sorted = [...signedHeaders].sort()
  if (sorted.some((name, index) => name === '' || name !== signedHeaders[index] || name === sorted[index - 1])) {
    throw new AuthFailure('Malformed', 'SignedHeaders must be distinct lower-case names in order')
  }
  for (const name of REQUIRED_SIGNED_HEADERS) {
    if (!signedHeaders.includes(name)) throw new AuthFailure('Malformed', `SignedHeaders must include ${name}`)
    if (request.headers(name) === undefined) throw new AuthFailure('Malformed', `the ${name} header is missing`)
  }
  const contentHash = request.headers('x-acs-content-sha256')
  if (contentHash !== undefined && contentHash !== sha256Hex(request.body)) {
    throw new AuthFailure('SignatureMismatch', 'x-acs-content-sha256 is not the SHA-256 of the body')
  }
  const date = request.headers('x-acs-date') ?? ''
  if (!DATE_PATTERN.test(date)) throw new AuthFailure('Malformed', `x-acs-date "${date}" is not YYYY-MM-DDThh:mm:ssZ`)
  const uris = request.path === '/' || request.path === '' ? ['/'] : ['/', request.path]
  return {
    accessKeyId,
    signature,
    nonce: request.headers('x-acs-signature-nonce') ?? '',
    timeMs: Date.parse(date),
    stringsToSign: uris.map((uri) => stringToSignV3(canonicalRequestV3(request, uri, signedHeaders))),
  }
}
