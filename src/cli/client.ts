/**
 * A thin REST client over fetch: bearer token, JSON bodies, and the API's error body turned into
 * an ApiError. It knows no resources; the commands name paths and shapes.
 */
import type { Connection } from './connection.ts'
import { ApiError, ConnectionError } from './errors.ts'

/** Long enough for a slow disk under the store, short enough that a hung server does not hang a script. */
export const REQUEST_TIMEOUT_MS = 30_000

/** How much of a non-JSON error body to quote; a proxy's HTML error page is not worth more. */
const ERROR_BODY_QUOTE_CHARS = 200

export type QueryValue = string | number | boolean | undefined
export type Query = Readonly<Record<string, QueryValue>>

export interface RequestOptions {
  readonly query?: Query
  readonly body?: unknown
}

export type FetchFunction = typeof fetch

export class ApiClient {
  readonly connection: Connection
  readonly #fetch: FetchFunction

  constructor(connection: Connection, fetchFunction: FetchFunction = fetch) {
    this.connection = connection
    this.#fetch = fetchFunction
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.json<T>('GET', path, { query })
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.json<T>('POST', path, { body })
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>('PATCH', path, { body })
  }

  delete<T>(path: string, query?: Query): Promise<T> {
    return this.json<T>('DELETE', path, { query })
  }

  /** For the few text/plain answers (instance logs): the body as it came. */
  async text(path: string, query?: Query): Promise<string> {
    const response = await this.send('GET', path, { query })
    return response.text()
  }

  /** Parsed JSON body; undefined for an empty body (204). */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options)
    const text = await response.text()
    return (text.length === 0 ? undefined : JSON.parse(text)) as T
  }

  urlFor(path: string, query: Query = {}): string {
    const url = new URL(this.connection.url + path)
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value))
    }
    return url.toString()
  }

  private async send(method: string, path: string, options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (this.connection.token) headers.authorization = `Bearer ${this.connection.token}`
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    const url = this.urlFor(path, options.query)
    let response: Response
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      })
    } catch (error) {
      const reason = describeFetchFailure(error)
      throw new ConnectionError(`cannot reach the Billow server at ${this.connection.url}: ${reason}`, {
        cause: error,
      })
    }
    if (!response.ok) throw await apiErrorFrom(response)
    return response
  }
}

async function apiErrorFrom(response: Response): Promise<ApiError> {
  const text = await response.text()
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; field?: unknown } }
    const error = body.error
    if (error && typeof error.code === 'string' && typeof error.message === 'string') {
      const field = typeof error.field === 'string' ? error.field : undefined
      return new ApiError({ status: response.status, code: error.code, message: error.message, field })
    }
  } catch {
    // Not JSON: a proxy or a crashed handler answered; quote what came below.
  }
  const quoted = text.trim().slice(0, ERROR_BODY_QUOTE_CHARS)
  return new ApiError({
    status: response.status,
    code: `HTTP${response.status}`,
    message: quoted.length > 0 ? quoted : response.statusText || 'no error body',
  })
}

/** fetch wraps the useful reason (ECONNREFUSED, a timeout) in a bare "fetch failed". */
function describeFetchFailure(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return `no answer within ${REQUEST_TIMEOUT_MS / 1000}s`
  }
  const cause = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined
  if (cause?.code === 'ECONNREFUSED') return 'connection refused (is `billow serve` running?)'
  if (cause?.message) return cause.message
  return error instanceof Error ? error.message : String(error)
}
