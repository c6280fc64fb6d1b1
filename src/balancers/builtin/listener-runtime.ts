/**
 * What the data plane needs of a listener, whatever its protocol: bind it, close it, read its
 * traffic figures. http-listener.ts and tcp-listener.ts implement it.
 */
import type { Server, Socket } from 'node:net'
import type { Listener, ListenerStats } from '../../core/load-balancer.ts'
import { ControlError } from './control-protocol.ts'

/** Client connections one listener holds at once: beyond it the kernel's backlog queues them. */
export const LISTENER_CONNECTIONS_MAX = 10_000
/** Pending connections the kernel queues per listener before refusing; Linux caps it at somaxconn. */
const LISTEN_BACKLOG = 4_096

export interface ListenerRuntime {
  readonly listener: Listener
  /** Resolves once the listener accepts connections. Throws ControlError('ListenerPortInUse' | 'Unavailable'). */
  start(): Promise<void>
  /** Stops accepting at once; open connections get `graceMs` to finish, then are cut. */
  close(graceMs: number): Promise<void>
  stats(nowMs: number): ListenerStats
}

export const listenerKey = (listener: Pick<Listener, 'host' | 'port'>): string => `${listener.host}:${listener.port}`

export function bindServer(server: Server, listener: Listener): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening)
      const where = listenerKey(listener)
      if (error.code === 'EADDRINUSE') {
        reject(new ControlError('ListenerPortInUse', `${where} is already in use`, { cause: error }))
      } else {
        reject(
          new ControlError('Unavailable', `cannot listen on ${where}: ${error.code ?? error.message}`, {
            cause: error,
          }),
        )
      }
    }
    const onListening = (): void => {
      server.off('error', onError)
      resolve()
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.maxConnections = LISTENER_CONNECTIONS_MAX
    server.listen({ host: listener.host, port: listener.port, backlog: LISTEN_BACKLOG, exclusive: true })
  })
}

/** Open client connections, tracked so close() can cut the ones left after the grace time. */
export function trackConnections(server: Server): Set<Socket> {
  const connections = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    connections.add(socket)
    socket.once('close', () => connections.delete(socket))
  })
  return connections
}

/** Closes `server` to new connections, waits up to `graceMs` for `connections` to end, then cuts them. */
export async function closeServer(server: Server, connections: Set<Socket>, graceMs: number): Promise<void> {
  if (!server.listening) {
    for (const socket of connections) socket.destroy()
    return
  }
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  const timer = setTimeout(() => {
    for (const socket of connections) socket.destroy()
  }, graceMs)
  await closed
  clearTimeout(timer)
}
