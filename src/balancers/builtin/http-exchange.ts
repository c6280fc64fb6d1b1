/**
 * One request carried to a backend over one pooled connection, and its response relayed to the
 * client through Node's ServerResponse (which frames it for the client's own connection).
 *
 *   sending ──response head──▶ relaying ──response whole──▶ done (connection back to the pool
 *      │                          │                              if both sides allow it)
 *      └──failed (refused, reset, silent, malformed, cut)──▶ failed: the listener decides
 *                                                             between repeating and answering
 *
 * Backpressure both ways: a slow backend pauses the client's body, a slow client pauses the backend.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  BACKEND_SILENCE_TIMEOUT_MS,
  BACKEND_SILENT,
  type BackendConnection,
  ConnectionFailure,
  type ExchangeHandler,
} from './backend-connections.ts'
import type { Cuttable } from './backend-pool.ts'
import { downstreamResponseHeaders } from './http-headers.ts'
import { type ResponseHead, ResponseParser } from './http-response-parser.ts'

const CHUNK_END = Buffer.from('\r\n')
const LAST_CHUNK = Buffer.from('0\r\n\r\n')

export interface ExchangeCallbacks {
  /** The response reached the client whole; `reusable`: the connection may carry another request. */
  done(reusable: boolean): void
  /** Nothing more will happen; `responded` says whether the client already has the response head. */
  failed(error: Error, responded: boolean): void
}

export interface RequestToSend {
  /** Request line and headers, ending in the empty line. */
  readonly head: string
  /** The body read whole (possibly empty), or null to stream it from `incoming`. */
  readonly body: Buffer | null
  readonly incoming: IncomingMessage
  /** Whether a streamed body is sent chunked (the client sent it so) rather than by its length. */
  readonly chunked: boolean
}

export class Exchange implements ExchangeHandler, Cuttable {
  private readonly parser: ResponseParser
  private responded = false
  private settled = false
  private requestSent = false
  private incoming: IncomingMessage | null = null
  private readonly connection: BackendConnection
  private readonly response: ServerResponse
  private readonly callbacks: ExchangeCallbacks

  constructor(
    connection: BackendConnection,
    response: ServerResponse,
    expectBody: boolean,
    callbacks: ExchangeCallbacks,
  ) {
    this.connection = connection
    this.response = response
    this.callbacks = callbacks
    this.parser = new ResponseParser(
      {
        onHead: (head) => this.relayHead(head),
        onBody: (chunk) => this.relayBody(chunk),
        onComplete: (reusable) => this.complete(reusable),
      },
      expectBody,
    )
  }

  /** True once any byte of a response arrived: then a failure is not a stale pooled connection. */
  get answered(): boolean {
    return this.parser.started
  }

  send(request: RequestToSend): void {
    this.connection.handler = this
    const { socket } = this.connection
    if (request.body !== null) {
      socket.cork()
      socket.write(request.head, 'latin1')
      if (request.body.length > 0) socket.write(request.body)
      socket.uncork()
      this.requestSent = true
      return
    }
    socket.write(request.head, 'latin1')
    const { incoming, chunked } = request
    this.incoming = incoming
    incoming.on('data', (chunk: Buffer) => {
      if (this.settled) return
      let flushed: boolean
      if (chunked) {
        socket.cork()
        socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1')
        socket.write(chunk)
        flushed = socket.write(CHUNK_END)
        socket.uncork()
      } else flushed = socket.write(chunk)
      if (!flushed) {
        incoming.pause()
        socket.once('drain', () => incoming.resume())
      }
    })
    incoming.once('end', () => {
      if (this.settled) return
      if (chunked) socket.write(LAST_CHUNK)
      this.requestSent = true
    })
  }

  onData(chunk: Buffer): void {
    if (this.settled) return
    try {
      this.parser.execute(chunk)
    } catch (error) {
      this.fail(error as Error)
    }
  }

  onEnd(): void {
    if (!this.settled && !this.parser.finish()) this.fail(new Error('the backend closed the connection mid-response'))
  }

  onClose(error: Error | null): void {
    this.fail(error ?? new Error('the backend closed the connection'))
  }

  onSilence(): void {
    this.fail(new ConnectionFailure(BACKEND_SILENT, `the backend was silent for ${BACKEND_SILENCE_TIMEOUT_MS} ms`))
  }

  /** Cut from outside: the drain deadline passed, or the client left. */
  destroy(error?: Error): void {
    this.fail(error ?? new Error('cut'))
  }

  private relayHead(head: ResponseHead): void {
    this.responded = true
    this.response.writeHead(head.statusCode, head.statusMessage, downstreamResponseHeaders(head.rawHeaders))
  }

  private relayBody(chunk: Buffer): void {
    if (this.response.write(chunk)) return
    const { socket } = this.connection
    socket.pause()
    this.response.once('drain', () => socket.resume())
  }

  private complete(reusable: boolean): void {
    if (this.settled) return
    this.settled = true
    this.response.end()
    this.callbacks.done(reusable && this.requestSent)
  }

  private fail(error: Error): void {
    if (this.settled) return
    this.settled = true
    // The rest of a streamed body is read and dropped, so the client's connection is not left stalled.
    this.incoming?.resume()
    this.callbacks.failed(error, this.responded)
  }
}
