/**
 * A TCP (L4) listener: each client connection is piped to a connection to one backend.
 *
 *   accepted (paused) ──connect──▶ piping ──both sides ended──▶ closed
 *        │  refused / timed out: next backend, while attempts last
 *        └──no backend left──▶ client cut (counted as an error)
 *
 * The client is paused until the backend connection exists, so no byte is read from it before a
 * backend is certain: a refused connection can be tried on another backend without losing data.
 * Half-closes pass through (allowHalfOpen), as protocols that shut down their sending side need.
 */
import { createServer, connect as netConnect, type Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import type { Listener } from '../../core/load-balancer.ts'
import type { BackendPool, BackendRuntime } from './backend-pool.ts'
import { bindServer, closeServer, type ListenerRuntime, trackConnections } from './listener-runtime.ts'
import { createTrafficWindow } from './traffic-window.ts'

/** Backends one client connection tries before it is cut. */
export const TCP_CONNECT_ATTEMPTS_MAX = 3
/** How long a connection to a backend may take, in milliseconds. */
const BACKEND_CONNECT_TIMEOUT_MS = 3_000

export function createTcpListener(listener: Listener, pool: BackendPool): ListenerRuntime {
  const traffic = createTrafficWindow(Date.now())
  const server = createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, handleConnection)
  const connections = trackConnections(server)

  function handleConnection(client: Socket): void {
    const startedMs = performance.now()
    const tried: BackendRuntime[] = []
    client.on('error', () => client.destroy())

    const giveUp = (): void => {
      traffic.record(Date.now(), null, true)
      client.destroy()
    }

    const attempt = (): void => {
      if (client.destroyed) return
      const runtime = tried.length < TCP_CONNECT_ATTEMPTS_MAX ? pool.pick(tried) : undefined
      if (runtime === undefined) {
        giveUp()
        return
      }
      tried.push(runtime)
      const upstream = netConnect({
        host: runtime.backend.address,
        port: runtime.backend.port,
        allowHalfOpen: true,
        noDelay: true,
      })
      pool.acquire(runtime, upstream)
      upstream.once('close', () => pool.release(runtime, upstream))
      const timer = setTimeout(() => upstream.destroy(new Error('connect timed out')), BACKEND_CONNECT_TIMEOUT_MS)
      upstream.once('error', () => {
        clearTimeout(timer)
        attempt()
      })
      upstream.once('connect', () => {
        clearTimeout(timer)
        traffic.record(Date.now(), performance.now() - startedMs, false)
        upstream.removeAllListeners('error')
        pipeBoth(client, upstream)
      })
    }
    attempt()
  }

  return {
    listener,
    start: () => bindServer(server, listener),
    close: (graceMs) => closeServer(server, connections, graceMs),
    stats(nowMs) {
      return { protocol: 'TCP', port: listener.port, activeConnections: connections.size, ...traffic.snapshot(nowMs) }
    },
  }
}

/** Pipes both ways; an error or reset on either side cuts the other, a clean end is passed on as a half-close. */
function pipeBoth(client: Socket, upstream: Socket): void {
  client.on('error', () => upstream.destroy())
  upstream.on('error', () => client.destroy())
  client.once('close', (hadError) => {
    if (hadError || !upstream.writableEnded) upstream.destroy()
  })
  upstream.once('close', (hadError) => {
    if (hadError || !client.writableEnded) client.destroy()
  })
  client.pipe(upstream)
  upstream.pipe(client)
  client.resume()
}
