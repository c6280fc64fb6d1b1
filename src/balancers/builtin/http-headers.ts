/**
 * Header rewriting at the HTTP proxy: hop-by-hop headers stay on their hop (RFC 9110 §7.6.1),
 * and the backend learns who the client is through X-Forwarded-For / -Proto / -Host. Headers go
 * as flat [name, value, …] arrays, as Node reads them, so order and repeats are kept.
 */

/**
 * Headers that describe one connection, never forwarded. Transfer-Encoding is handled per
 * direction. Expect too stays here: the proxy's own server already answered 100 Continue.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'expect'])
/** Set by the proxy itself; a client's own values would let it lie about the scheme or host. */
const PROXY_SET = new Set(['x-forwarded-proto', 'x-forwarded-host'])

export interface ClientFacts {
  readonly remoteAddress: string
  /** 'http' for the built-in listeners, which do not terminate TLS. */
  readonly protocol: string
}

/** Extra hop-by-hop names listed in a Connection header (`Connection: close, X-Foo`). */
function connectionTokens(raw: readonly string[]): Set<string> | null {
  let tokens: Set<string> | null = null
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() !== 'connection') continue
    for (const token of (raw[i + 1] as string).split(',')) {
      const name = token.trim().toLowerCase()
      if (name === '' || name === 'close' || name === 'keep-alive') continue
      tokens ??= new Set()
      tokens.add(name)
    }
  }
  return tokens
}

/**
 * The request headers for the backend. Transfer-Encoding stays: Node then frames a streamed body
 * as chunked to the backend as well. A request without Host gets the backend's address.
 */
export function upstreamRequestHeaders(raw: readonly string[], client: ClientFacts, fallbackHost: string): string[] {
  const listed = connectionTokens(raw)
  const out: string[] = []
  let forwardedFor: string | null = null
  let host: string | null = null
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    const value = raw[i + 1] as string
    const lower = name.toLowerCase()
    if (HOP_BY_HOP.has(lower) || PROXY_SET.has(lower) || listed?.has(lower)) continue
    if (lower === 'x-forwarded-for') {
      forwardedFor = forwardedFor === null ? value : `${forwardedFor}, ${value}`
      continue
    }
    if (lower === 'host') host = value
    out.push(name, value)
  }
  if (host === null) out.push('Host', fallbackHost)
  out.push(
    'X-Forwarded-For',
    forwardedFor === null ? client.remoteAddress : `${forwardedFor}, ${client.remoteAddress}`,
    'X-Forwarded-Proto',
    client.protocol,
    'X-Forwarded-Host',
    host ?? fallbackHost,
  )
  return out
}

/**
 * The response headers for the client. Transfer-Encoding goes: Node frames the body for the
 * client's own connection (chunked for HTTP/1.1, close-delimited for HTTP/1.0).
 */
export function downstreamResponseHeaders(raw: readonly string[]): string[] {
  const listed = connectionTokens(raw)
  const out: string[] = []
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    const lower = name.toLowerCase()
    if (HOP_BY_HOP.has(lower) || lower === 'transfer-encoding' || listed?.has(lower)) continue
    out.push(name, raw[i + 1] as string)
  }
  return out
}
