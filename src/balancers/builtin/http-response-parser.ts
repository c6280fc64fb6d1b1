/**
 * An incremental HTTP/1.1 response parser for the proxy's backend connections: Node's own client
 * (http.request, Agent, IncomingMessage) costs about twice the CPU per request of the rest of
 * the proxy together, so the backend side speaks HTTP over plain sockets. Body bytes are handed
 * on as views of the socket's buffers, never copied.
 *
 *   head ──(1xx: another head)──▶ head
 *     ├──no body (HEAD, 204, 304)──────────────────────────────▶ done
 *     ├──Content-Length──▶ length ─────────────────────────────▶ done
 *     ├──chunked──▶ chunk-size ⇄ chunk-data ─size 0─▶ trailers ─▶ done
 *     └──neither──▶ until-close ──backend closes (finish)──────▶ done (connection not reusable)
 *
 * Anything malformed throws ResponseParseError; the connection is then closed, never reused.
 */

/** Largest response head accepted, in bytes (Node's own server default is 16 KiB). */
export const RESPONSE_HEAD_BYTES_MAX = 64 * 1024
/** Longest chunk-size line or trailer line, in bytes. */
const CHUNK_LINE_BYTES_MAX = 4 * 1024
/** Largest chunk size accepted: 2^48 bytes, far beyond any real chunk and safely an integer. */
const CHUNK_SIZE_MAX = 2 ** 48

const CRLF = Buffer.from('\r\n')
const HEAD_END = Buffer.from('\r\n\r\n')
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

export class ResponseParseError extends Error {
  override readonly name = 'ResponseParseError'
}

export interface ResponseHead {
  readonly statusCode: number
  readonly statusMessage: string
  /** [name, value, name, value, …] as received. */
  readonly rawHeaders: string[]
}

export interface ResponseEvents {
  onHead(head: ResponseHead): void
  onBody(chunk: Buffer): void
  /** The response is whole; `reusable` says whether the connection may carry another request. */
  onComplete(reusable: boolean): void
}

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'until-close' | 'done'

export class ResponseParser {
  private state: State = 'head'
  private pending: Buffer | null = null
  private remaining = 0
  private reusable = true
  private notified = false
  private readonly events: ResponseEvents
  private readonly expectBody: boolean

  /** `expectBody` is false for a HEAD request, whose answer has headers only. */
  constructor(events: ResponseEvents, expectBody: boolean) {
    this.events = events
    this.expectBody = expectBody
  }

  get started(): boolean {
    return this.state !== 'head' || this.pending !== null
  }

  get done(): boolean {
    return this.state === 'done'
  }

  execute(chunk: Buffer): void {
    if (this.state === 'done') throw new ResponseParseError('the backend sent bytes after its response')
    let data = chunk
    if (this.pending !== null) {
      data = Buffer.concat([this.pending, chunk])
      this.pending = null
    }
    let offset = 0
    while (offset < data.length && this.state !== 'done') {
      switch (this.state) {
        case 'head':
          offset = this.parseHead(data, offset)
          break
        case 'length': {
          const take = Math.min(this.remaining, data.length - offset)
          this.events.onBody(data.subarray(offset, offset + take))
          offset += take
          this.remaining -= take
          if (this.remaining === 0) this.state = 'done'
          break
        }
        case 'chunk-size':
          offset = this.parseChunkSize(data, offset)
          break
        case 'chunk-data': {
          const take = Math.min(this.remaining, data.length - offset)
          this.events.onBody(data.subarray(offset, offset + take))
          offset += take
          this.remaining -= take
          if (this.remaining === 0) this.state = 'chunk-end'
          break
        }
        case 'chunk-end':
          offset = this.expectCrlf(data, offset)
          break
        case 'trailers':
          offset = this.parseTrailer(data, offset)
          break
        case 'until-close':
          this.events.onBody(offset === 0 ? data : data.subarray(offset))
          offset = data.length
          break
      }
      if (offset < 0) return // waiting for more bytes; what is left was kept in `pending`
    }
    // Bytes beyond the response mean the backend and the proxy disagree on framing: never reuse that connection.
    if (this.state === 'done') this.notify(this.reusable && offset >= data.length)
  }

  /** The backend closed the connection. Completes a body read until close; anything else was cut short. */
  finish(): boolean {
    if (this.state === 'until-close') {
      this.state = 'done'
      this.notify(false)
      return true
    }
    return this.state === 'done'
  }

  private keep(data: Buffer, offset: number, limit: number, what: string): number {
    if (data.length - offset > limit) throw new ResponseParseError(`${what} longer than ${limit} bytes`)
    this.pending = data.subarray(offset)
    return -1
  }

  private notify(reusable: boolean): void {
    if (this.notified) return
    this.notified = true
    this.events.onComplete(reusable)
  }

  private parseHead(data: Buffer, offset: number): number {
    const end = data.indexOf(HEAD_END, offset)
    if (end < 0) return this.keep(data, offset, RESPONSE_HEAD_BYTES_MAX, 'a response head')
    const lines = data.toString('latin1', offset, end).split('\r\n')
    const status = STATUS_LINE.exec(lines[0] ?? '')
    if (status === null) throw new ResponseParseError(`bad status line ${JSON.stringify(lines[0]?.slice(0, 80))}`)
    const statusCode = Number(status[2])
    const rawHeaders: string[] = []
    let contentLength: number | null = null
    let chunked = false
    let transferEncoded = false
    let connectionClose = false
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string
      const colon = line.indexOf(':')
      const name = line.slice(0, colon)
      if (colon <= 0 || !TOKEN.test(name))
        throw new ResponseParseError(`bad header line ${JSON.stringify(line.slice(0, 80))}`)
      const value = line.slice(colon + 1).trim()
      rawHeaders.push(name, value)
      const lower = name.toLowerCase()
      if (lower === 'content-length') {
        if (!/^\d{1,15}$/.test(value)) throw new ResponseParseError(`bad Content-Length ${JSON.stringify(value)}`)
        if (contentLength !== null && contentLength !== Number(value))
          throw new ResponseParseError('two Content-Lengths')
        contentLength = Number(value)
      } else if (lower === 'transfer-encoding') {
        transferEncoded = true
        chunked = /(?:^|,)\s*chunked\s*$/i.test(value)
      } else if (lower === 'connection') {
        connectionClose = /(?:^|,)\s*close\s*(?:,|$)/i.test(value)
      }
    }
    const next = end + HEAD_END.length
    if (statusCode === 101) throw new ResponseParseError('the backend switched protocols; upgrades are not proxied')
    if (statusCode >= 100 && statusCode < 200) return next // informational (100 Continue, 103): the final head follows
    this.reusable = status[1] === '1' && !connectionClose
    this.events.onHead({ statusCode, statusMessage: status[3] ?? '', rawHeaders })
    if (!this.expectBody || statusCode === 204 || statusCode === 304) {
      this.state = 'done'
    } else if (transferEncoded) {
      // Transfer-Encoding wins over Content-Length (RFC 9112 §6.3); such a message ends the connection.
      if (contentLength !== null) this.reusable = false
      if (chunked) this.state = 'chunk-size'
      else {
        this.reusable = false
        this.state = 'until-close'
      }
    } else if (contentLength !== null) {
      this.remaining = contentLength
      this.state = contentLength === 0 ? 'done' : 'length'
    } else {
      this.reusable = false
      this.state = 'until-close'
    }
    return next
  }

  private parseChunkSize(data: Buffer, offset: number): number {
    const end = data.indexOf(CRLF, offset)
    if (end < 0) return this.keep(data, offset, CHUNK_LINE_BYTES_MAX, 'a chunk-size line')
    const line = data.toString('latin1', offset, end)
    const hex = (line.split(';', 1)[0] ?? '').trim()
    const size = /^[0-9a-fA-F]{1,12}$/.test(hex) ? Number.parseInt(hex, 16) : Number.NaN
    if (!(size >= 0 && size <= CHUNK_SIZE_MAX)) throw new ResponseParseError(`bad chunk size ${JSON.stringify(line)}`)
    this.remaining = size
    this.state = size === 0 ? 'trailers' : 'chunk-data'
    return end + CRLF.length
  }

  private expectCrlf(data: Buffer, offset: number): number {
    if (data.length - offset < CRLF.length) return this.keep(data, offset, CRLF.length, 'a chunk end')
    if (data[offset] !== 0x0d || data[offset + 1] !== 0x0a) throw new ResponseParseError('a chunk does not end in CRLF')
    this.state = 'chunk-size'
    return offset + CRLF.length
  }

  /** Trailer fields are read and dropped: the client's response has been framed by the proxy already. */
  private parseTrailer(data: Buffer, offset: number): number {
    const end = data.indexOf(CRLF, offset)
    if (end < 0) return this.keep(data, offset, CHUNK_LINE_BYTES_MAX, 'a trailer line')
    if (end === offset) this.state = 'done'
    return end + CRLF.length
  }
}
