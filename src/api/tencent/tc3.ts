/**
 * Tencent Cloud TC3-HMAC-SHA256 (API 3.0):
 *
 *   Authorization: TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=content-type;host, Signature=<hex>
 *   CanonicalRequest = METHOD \n path \n query \n `name:value\n`… \n SignedHeaders \n hex(sha256(body))
 *   StringToSign     = "TC3-HMAC-SHA256\n" + X-TC-Timestamp + "\n" + <date>/<service>/tc3_request + "\n" + hex(sha256(CanonicalRequest))
 *   key              = HMAC chain "TC3"+secret → date → service → "tc3_request"
 *
 * The SDKs disagree on details, so the verifier tries each reading: the Node SDK signs the real
 * path, the host without its port and the service named by the endpoint's first label (`127`
 * for 127.0.0.1); the Go SDK signs `/`, the host with its port and `as`. The service is the one
 * the client put in its credential scope.
 */
import { createHash, createHmac } from 'node:crypto'
import { AuthFailure } from '../signature/auth-failure.ts'

const AUTHORIZATION_PATTERN =
  /^TC3-HMAC-SHA256\s+Credential=([^/\s,]+)\/(\d{4}-\d{2}-\d{2})\/([^/\s,]{1,64})\/tc3_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/
const SIGNED_HEADERS_MAX = 32
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD'

export interface Tc3Request {
  readonly method: string
  /** The path as requested, with any mount prefix (`/tencent/`): the Node SDK signs it. */
  readonly path: string
  /** The raw query string, without `?`. */
  readonly rawQuery: string
  /** Lower-case names. */
  readonly headers: (name: string) => string | undefined
  readonly body: Buffer
}

export interface Tc3Claims {
  readonly accessKeyId: string
  readonly signature: string
  readonly timeMs: number
  readonly date: string
  readonly service: string
  /** One StringToSign per reading of the request; genuine if any matches. */
  readonly stringsToSign: readonly string[]
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex')
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest()

export function signTc3(stringToSign: string, options: { secret: string; date: string; service: string }): string {
  const kDate = hmac(`TC3${options.secret}`, options.date)
  const kService = hmac(kDate, options.service)
  const kSigning = hmac(kService, 'tc3_request')
  return createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex')
}

export function canonicalRequestTc3(
  request: Tc3Request,
  options: { path: string; host: string; lowerCaseValues: boolean; signedHeaders: readonly string[] },
): string {
  const value = (name: string) => {
    const raw = name === 'host' ? options.host : (request.headers(name) ?? '')
    return options.lowerCaseValues ? raw.trim().toLowerCase() : raw.trim()
  }
  const headers = options.signedHeaders.map((name) => `${name}:${value(name)}\n`).join('')
  const declared = request.headers('x-tc-content-sha256')
  const payloadHash = declared === UNSIGNED_PAYLOAD ? sha256Hex(UNSIGNED_PAYLOAD) : sha256Hex(request.body)
  return [
    request.method.toUpperCase(),
    options.path,
    request.rawQuery,
    headers,
    options.signedHeaders.join(';'),
    payloadHash,
  ].join('\n')
}

export function readTc3(request: Tc3Request): Tc3Claims {
  const match = AUTHORIZATION_PATTERN.exec((request.headers('authorization') ?? '').trim())
  if (!match) {
    throw new AuthFailure(
      'Malformed',
      'Authorization is not "TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=…, Signature=<64 hex>"',
    )
  }
  const [, accessKeyId = '', date = '', service = '', signedList = '', signature = ''] = match
  const signedHeaders = signedList.split(';')
  if (signedHeaders.length > SIGNED_HEADERS_MAX || !signedHeaders.includes('host')) {
    throw new AuthFailure('Malformed', 'SignedHeaders must include host')
  }
  const timestamp = request.headers('x-tc-timestamp') ?? ''
  if (!/^\d{1,12}$/.test(timestamp)) throw new AuthFailure('Malformed', 'X-TC-Timestamp must be Unix seconds')
  const timeMs = Number(timestamp) * 1000
  if (new Date(timeMs).toISOString().slice(0, 10) !== date) {
    throw new AuthFailure('Expired', `the credential date ${date} is not the UTC date of X-TC-Timestamp ${timestamp}`)
  }
  const hostHeader = (request.headers('host') ?? '').toLowerCase()
  const hosts = unique([hostHeader.replace(/:\d+$/, ''), hostHeader])
  const paths = unique([request.path || '/', '/'])
  const cases = unique([true, false])
  const scope = `${date}/${service}/tc3_request`
  const stringsToSign = unique(
    paths.flatMap((path) =>
      hosts.flatMap((host) =>
        cases.map((lowerCaseValues) => {
          const canonical = canonicalRequestTc3(request, { path, host, lowerCaseValues, signedHeaders })
          return `TC3-HMAC-SHA256\n${timestamp}\n${scope}\n${sha256Hex(canonical)}`
        }),
      ),
    ),
  )
  return { accessKeyId, signature, timeMs, date, service, stringsToSign }
}

const unique = <T>(values: readonly T[]): T[] => [...new Set(values)]
