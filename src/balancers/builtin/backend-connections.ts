/**
 * Keep-alive connections from the HTTP listeners to one backend: plain sockets, reused LIFO
 * (the warmest first), each carrying one exchange at a time.
 *
 *   connecting ──connect──▶ busy ──response whole, reusable──▶ idle ──next request──▶ busy
 *       │                    │                                   │ idle too long, or the backend closed it
 *       └──refused / timeout─┴──error, close, not reusable───────┴──▶ closed
 *
 * Listeners are attached once per socket and dispatch to the exchange it carries, so a request
 * adds and removes none. At most BACKEND_SOCKETS_MAX are open; further requests wait in order.
 */
import { connect, type Socket } from 'node:net'

/** Connections open to one backend at most; beyond it requests wait for one to be free. */
export const BACKEND_SOCKETS_MAX = 512
/** Requests waiting for a connection to one backend at most; beyond it they fail (503). */
export const BACKEND_WAITERS_MAX = 4_096
/** Idle connections kept per backend: enough for bursts without hoarding descriptors. */
const BACKEND_IDLE_SOCKETS_MAX = 128
/**
 * How long an idle connection is kept, in milliseconds: below Node's default server keep-alive of
 * 5 s, so that the proxy rather than the backend closes idle connections, and a request seldom
 * meets a connection the backend is closing (that race is repeated on another connection anyway).
 */
const BACKEND_IDLE_MS = 4_000
/** How long a new connection may take, in milliseconds; on loopback or a LAN it takes far less. */
const BACKEND_CONNECT_TIMEOUT_MS = 3_000
/** Silence from a backend during an exchange, in milliseconds, before it is given up (504). */
export const BACKEND_SILENCE_TIMEOUT_MS = 60_000

export const CONNECT_TIMEOUT = 'BILLOW_CONNECT_TIMEOUT'
export const BACKEND_SILENT = 'BILLOW_BACKEND_SILENT'

export class ConnectionFailure extends Error {
  readonly code: string
  constructor(code: string, message: string) {
    super(message)
    this.code = code
  }
}

/** What a connection reports to the exchange it carries. */
export interface ExchangeHandler {
  onData(chunk: Buffer): void
  /** The backend closed its side. */
  onEnd(): void
  /** The connection is gone; `error` says why when it failed. */
  onClose(error: Error | null): void
  /** The backend stayed silent for BACKEND_SILENCE_TIMEOUT_MS. */
  onSilence(): void
}

export interface BackendConnection {
  readonly socket: Socket
  /** True once the TCP connection exists: a failure before it means the request never left. */
  readonly connected: boolean
  /** True when it carried an exchange before this one (a closed keep-alive race is possible). */
  readonly reused: boolean
  handler: ExchangeHandler | null
}

export interface BackendConnections {
  /** Calls `ready` with a connection, at once or when one frees up; `ready(null)` when too many wait. */
  acquire(ready: (connection: BackendConnection | null) => void): void
  /** Hands a connection back after its exchange: pooled when `reusable`, closed otherwise. */
  release(connection: BackendConnection, reusable: boolean): void
  /** Closes every connection, idle or busy. */
  destroy(): void
}

class PooledConnection implements BackendConnection {
  connected = false
  reused = false
  handler: ExchangeHandler | null = null
  error: Error | null = null
  constructor(readonly socket: Socket) {}
}

export function createBackendConnections(address: string, port: number): BackendConnections {
  const idle: PooledConnection[] = []
  const open = new Set<PooledConnection>()
  const waiters: ((connection: BackendConnection | null) => void)[] = []
  let destroyed = false

  function removeIdle(connection: PooledConnection): void {
    const index = idle.indexOf(connection)
    if (index >= 0) idle.splice(index, 1)
  }

  function openConnection(): PooledConnection {
    const socket = connect({ host: address, port, noDelay: true })
    const connection = new PooledConnection(socket)
    open.add(connection)
    socket.setTimeout(BACKEND_CONNECT_TIMEOUT_MS)
    socket.once('connect', () => {
      connection.connected = true
      socket.setTimeout(BACKEND_SILENCE_TIMEOUT_MS)
    })
    socket.on('data', (chunk: Buffer) => {
      if (connection.handler !== null) connection.handler.onData(chunk)
      else socket.destroy() // a backend talking out of turn: its framing cannot be trusted
    })
    socket.on('end', () => {
      if (connection.handler !== null) connection.handler.onEnd()
      else socket.destroy()
    })
    socket.on('timeout', () => {
      if (!connection.connected) {
        socket.destroy(new ConnectionFailure(CONNECT_TIMEOUT, `connecting to ${address}:${port} timed out`))
      } else if (connection.handler !== null) connection.handler.onSilence()
      else socket.destroy() // idle too long
    })
    socket.on('error', (error: Error) => {
      connection.error = error
    })
    socket.once('close', () => {
      open.delete(connection)
      removeIdle(connection)
      const handler = connection.handler
      connection.handler = null
      handler?.onClose(connection.error ?? new Error('the backend closed the connection'))
      // A slot is free: the first waiter gets a new connection.
      const waiter = waiters.shift()
      if (waiter !== undefined) waiter(destroyed ? null : openConnection())
    })
    return connection
  }

  return {
    acquire(ready) {
      if (destroyed) return ready(null)
      const warm = idle.pop()
      if (warm !== undefined) {
        warm.reused = true
        warm.socket.setTimeout(BACKEND_SILENCE_TIMEOUT_MS)
        return ready(warm)
      }
      if (open.size < BACKEND_SOCKETS_MAX) return ready(openConnection())
      if (waiters.length >= BACKEND_WAITERS_MAX) return ready(null)
      waiters.push(ready)
    },
    release(connection, reusable) {
      const pooled = connection as PooledConnection
      pooled.handler = null
      if (!reusable || destroyed || pooled.socket.destroyed) {
        pooled.socket.destroy()
        return
      }
      const waiter = waiters.shift()
      if (waiter !== undefined) {
        pooled.reused = true
        return waiter(pooled)
      }
      if (idle.length >= BACKEND_IDLE_SOCKETS_MAX) {
        pooled.socket.destroy()
        return
      }
      pooled.socket.setTimeout(BACKEND_IDLE_MS)
      idle.push(pooled)
    },
    destroy() {
      destroyed = true
      for (const waiter of waiters.splice(0)) waiter(null)
      for (const connection of [...open]) connection.socket.destroy()
    },
  }
}
