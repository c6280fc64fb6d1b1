/**
 * An HTTP (L7) listener: each request goes to a backend picked by the scheduler, over that
 * backend's keep-alive pool. One request's path through the proxy:
 *
 *   received ──(small body read whole)──▶ attempt 1 ──response──▶ relayed ──▶ finished
 *                                            │ failed before any response byte, safe to repeat
 *                                            ▼
 *                                        attempt 2 on another backend ──response──▶ relayed
 *                                            │ failed, or nothing else eligible
 *                                            ▼
 *                                           502 (504 when the backend stopped answering)
 *
 * A request cut at its backend's drain deadline reached the application, so it is never repeated.
 *
 * Repeating is safe when the body can be sent again (none, or read whole) and the method is
 * idempotent or the request cannot have reached the application: the connection was refused or
 * timed out, or a pooled connection was found closed before any answer (the backend ended it
 * while idle). Backend connections are plain sockets (backend-connections.ts, http-exchange.ts);
 * the client side is Node's own HTTP server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer } from 'node:http'
import { performance } from 'node:perf_hooks'
import type { Listener } from '../../core/load-balancer.ts'
import { BACKEND_SILENT, type BackendConnection, CONNECT_TIMEOUT } from './backend-connections.ts'
import { type BackendPool, type BackendRuntime, DRAIN_DEADLINE } from './backend-pool.ts'
import { Exchange } from './http-exchange.ts'
import { upstreamRequestHeaders } from './http-headers.ts'
import { ResponseParseError } from './http-response-parser.ts'
import { bindServer, closeServer, type ListenerRuntime, trackConnections } from './listener-runtime.ts'
import { createTrafficWindow } from './traffic-window.ts'

/** Request bodies up to this size are read whole before forwarding, in bytes, so that a failed attempt can be repeated. */
export const RETRY_BODY_BYTES_MAX = 64 * 1024
/** How long an idle client connection stays open, in milliseconds. */
const CLIENT_KEEP_ALIVE_MS = 15_000
/** Time a client has to send a request's headers, in milliseconds (slowloris guard). */
const CLIENT_HEADERS_TIMEOUT_MS = 20_000
/** Time a client has to send a whole request, in milliseconds. */
const CLIENT_REQUEST_TIMEOUT_MS = 300_000

/** Methods RFC 9110 §9.2.2 calls idempotent: repeating one has the effect of sending it once. */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE'])
/** Failures after which the request must not be sent again: it reached the application, or the backend is stuck. */
const NEVER_REPEATED = new Set([DRAIN_DEADLINE, BACKEND_SILENT])

const EMPTY_BODY = Buffer.alloc(0)

/** How the request body travels: none, read whole (can be sent again), or streamed (cannot). */
function bodyPlan(request: IncomingMessage): 'none' | 'buffer' | 'stream' {
  if (request.headers['transfer-encoding'] !== undefined) return 'stream'
  const length = request.headers['content-length']
  if (length === undefined || length === '0') return 'none'
  return Number(length) <= RETRY_BODY_BYTES_MAX ? 'buffer' : 'stream'
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)))
    request.once('error', reject)
  })
}

/** The request line and headers for the backend; Node's parser has already refused CR and LF in them. */
function requestHead(request: IncomingMessage, headers: readonly string[]): string {
  let head = `${request.method} ${request.url} HTTP/1.1\r\n`
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`
  return `${head}\r\n`
}

function answer(response: ServerResponse, status: number, message: string): void {
  if (response.headersSent) {
    response.destroy()
    return
  }
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(message),
  })
  response.end(message)
}

/** Whether a failed attempt may be sent again (to another backend, or on another connection). */
function repeatable(
  request: IncomingMessage,
  error: Error,
  connection: BackendConnection,
  exchange: Exchange,
): boolean {
  const code = (error as NodeJS.ErrnoException).code ?? ''
  if (NEVER_REPEATED.has(code) || error instanceof ResponseParseError) return false
  if (!connection.connected) return true // refused or timed out: the request never left
  if (connection.reused && !exchange.answered) return true // a pooled connection the backend had closed
  return IDEMPOTENT_METHODS.has(request.method ?? '')
}

/** Where a failed attempt goes: another backend, or the same one when a pooled connection was found closed. */
function nextBackend(
  pool: BackendPool,
  runtime: BackendRuntime,
  request: IncomingMessage,
  failure: { error: Error; connection: BackendConnection; exchange: Exchange },
): BackendRuntime | undefined {
  const { error, connection, exchange } = failure
  if (!repeatable(request, error, connection, exchange)) return undefined
  // A pooled connection found closed says nothing about the backend: it may take the repeat itself.
  const stale = connection.connected && connection.reused && !exchange.answered
  return pool.pick([runtime]) ?? (stale ? runtime : undefined)
}

function answerFailure(response: ServerResponse, error: Error): void {
  const code = (error as NodeJS.ErrnoException).code
  if (code === BACKEND_SILENT) answer(response, 504, 'the backend did not answer in time\n')
  else if (code === CONNECT_TIMEOUT) answer(response, 502, 'the backend did not accept the connection\n')
  else answer(response, 502, 'no backend could take the request\n')
}

export function createHttpListener(listener: Listener, pool: BackendPool): ListenerRuntime {
  const traffic = createTrafficWindow(Date.now())
  const server = createServer(
    { headersTimeout: CLIENT_HEADERS_TIMEOUT_MS, requestTimeout: CLIENT_REQUEST_TIMEOUT_MS, noDelay: true },
    handleRequest,
  )
  server.keepAliveTimeout = CLIENT_KEEP_ALIVE_MS
  const connections = trackConnections(server)

  function handleRequest(request: IncomingMessage, response: ServerResponse): void {
    const startedMs = performance.now()
    let current: Exchange | null = null
    response.once('close', () => {
      const finished = response.writableFinished
      if (!finished) current?.destroy(new Error('the client left'))
      traffic.record(Date.now(), performance.now() - startedMs, finished && response.statusCode >= 500)
    })
    const remoteAddress = request.socket.remoteAddress ?? ''
    const plan = bodyPlan(request)
    const expectBody = request.method !== 'HEAD'

    const forward = (runtime: BackendRuntime, body: Buffer | null, attempt: number): void => {
      runtime.connections.acquire((connection) => {
        if (connection === null) {
          answer(response, 503, 'the backend has too many requests waiting\n')
          return
        }
        if (response.destroyed) {
          runtime.connections.release(connection, connection.connected)
          return
        }
        const { address, port } = runtime.backend
        const headers = upstreamRequestHeaders(
          request.rawHeaders,
          { remoteAddress, protocol: 'http' },
          `${address}:${port}`,
        )
        const exchange: Exchange = new Exchange(connection, response, expectBody, {
          done(reusable) {
            pool.release(runtime, exchange)
            runtime.connections.release(connection, reusable)
          },
          failed(error, responded) {
            pool.release(runtime, exchange)
            runtime.connections.release(connection, false)
            if (responded) {
              response.destroy() // a response cut short stays cut short, never silently short
              return
            }
            if (response.destroyed) return
            const replayable = attempt === 0 && body !== null
            const next = replayable ? nextBackend(pool, runtime, request, { error, connection, exchange }) : undefined
            if (next !== undefined) forward(next, body, attempt + 1)
            else answerFailure(response, error)
          },
        })
        current = exchange
        pool.acquire(runtime, exchange)
        exchange.send({
          head: requestHead(request, headers),
          body,
          incoming: request,
          chunked: plan === 'stream' && request.headers['transfer-encoding'] !== undefined,
        })
      })
    }

    const start = (body: Buffer | null): void => {
      const runtime = pool.pick()
      if (runtime === undefined) answer(response, 502, 'no healthy backend\n')
      else forward(runtime, body, 0)
    }

    if (plan === 'none') start(EMPTY_BODY)
    else if (plan === 'stream') start(null)
    else readBody(request).then(start, () => response.destroy())
  }

  return {
    listener,
    start: () => bindServer(server, listener),
    close: (graceMs) => closeServer(server, connections, graceMs),
    stats(nowMs) {
      return { protocol: 'HTTP', port: listener.port, activeConnections: connections.size, ...traffic.snapshot(nowMs) }
    },
  }
}
