/**
 * One port for every dialect, routed by protocol rather than path, so that each cloud's SDK works
 * pointed at `/` of the server, and also under `/ess` and `/tencent`:
 *
 *   /ess…, /tencent…                                   → that dialect (prefix removed)
 *   Authorization: TC3-HMAC-SHA256, or X-TC-Action      → Tencent
 *   Authorization: ACS3-HMAC-SHA256, or x-acs-action    → ESS (signature V3)
 *   Action / Signature / SignatureVersion in the query
 *     or the form body of a request to /               → ESS (signature 1.0)
 *   anything else                                      → the native REST API
 *
 * Cloud requests have their body read here, up to a limit; a larger one is answered by the
 * dialect as too large, without reading the rest.
 */
import type { CloudCall, CloudHandler } from './cloud/cloud-call.ts'

/** ESS user data is 32 KB of base64 and Tencent's 16 KB; 1 MiB leaves room and bounds memory. */
export const CLOUD_BODY_BYTES_MAX = 1024 * 1024

type Fetch = (request: Request) => Response | Promise<Response>
type Dialect = 'ess' | 'tencent'

const PREFIXES: readonly [string, Dialect][] = [
  ['/ess', 'ess'],
  ['/tencent', 'tencent'],
]
const ESS_MARKERS = ['Action', 'Signature', 'SignatureVersion']

export function createDispatcher(options: { rest: Fetch; ess: CloudHandler; tencent: CloudHandler }): Fetch {
  return async (request) => {
    const url = new URL(request.url)
    const headers = request.headers
    const mounted = PREFIXES.find(([prefix]) => url.pathname === prefix || url.pathname.startsWith(`${prefix}/`))
    const authorization = headers.get('authorization') ?? ''
    let dialect: Dialect | undefined = mounted?.[1]
    if (!dialect && (authorization.startsWith('TC3-HMAC-SHA256') || headers.has('x-tc-action'))) dialect = 'tencent'
    if (!dialect && (authorization.startsWith('ACS3-HMAC-SHA256') || headers.has('x-acs-action'))) dialect = 'ess'
    if (!dialect && url.pathname === '/' && ESS_MARKERS.some((name) => url.searchParams.has(name))) dialect = 'ess'

    const formAtRoot =
      !dialect &&
      url.pathname === '/' &&
      request.method === 'POST' &&
      (headers.get('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')
    if (!dialect && !formAtRoot) return options.rest(request)

    const body = await readBounded(request, CLOUD_BODY_BYTES_MAX)
    if (!dialect) {
      const form = body === null ? null : new URLSearchParams(body.toString('utf8'))
      if (form === null || ESS_MARKERS.some((name) => form.has(name))) dialect = 'ess'
      else return options.rest(new Request(request.url, { method: request.method, headers, body }))
    }
    const path = mounted ? url.pathname.slice(mounted[0].length) || '/' : url.pathname
    const call: CloudCall = { method: request.method, url, path, headers, body }
    const response = await (dialect === 'ess' ? options.ess : options.tencent)(call)
    // The rest of an oversized body is never read, so the connection cannot be reused.
    if (body === null) response.headers.set('connection', 'close')
    return response
  }
}

/** The body, or null once it passes `limit` bytes (the rest is not read). */
async function readBounded(request: Request, limit: number): Promise<Buffer | null> {
  if (!request.body) return Buffer.alloc(0)
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (declared > limit) {
    await request.body.cancel().catch(() => {})
    return null
  }
  const chunks: Buffer[] = []
  let size = 0
  const reader = request.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      return null
    }
    chunks.push(Buffer.from(value))
  }
  return Buffer.concat(chunks)
}
