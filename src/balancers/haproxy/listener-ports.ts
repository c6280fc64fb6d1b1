/**
 * Checks, before a reload, that the listener addresses the running haproxy does not hold yet can
 * be bound. haproxy's own check comes too late: when a reloading process fails to bind, it has
 * already paused the serving process's listeners and keeps them paused for about two seconds of
 * retries before it gives up and resumes them — two seconds without new connections. Checking
 * first leaves only a race with another program binding in between.
 */
import { createServer } from 'node:net'
import type { Listener } from '../../core/load-balancer.ts'
import { BalancerError } from '../../ports/balancer.ts'

const key = (listener: Listener): string => `${listener.host}:${listener.port}`

function tryBind(listener: Listener): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new BalancerError(`${key(listener)} is in use by another program`, 'ListenerPortInUse', { cause: error }),
        )
      } else {
        reject(new BalancerError(`${key(listener)} cannot be bound: ${error.message}`, 'Unavailable', { cause: error }))
      }
    })
    server.listen({ host: listener.host, port: listener.port, exclusive: true }, () => server.close(() => resolve()))
  })
}

/** Resolves when every listener in `next` and not in `current` could be bound now. Throws BalancerError. */
export async function checkNewListenersBindable(
  current: readonly Listener[],
  next: readonly Listener[],
): Promise<void> {
  const held = new Set(current.map(key))
  for (const listener of next) if (!held.has(key(listener))) await tryBind(listener)
}

/** How long a stopped haproxy's listeners may take to be free again, in milliseconds. */
export const RELEASE_WAIT_MS = 3_000
const RELEASE_POLL_MS = 50

/**
 * Resolves once every listener could be bound again (the port's contract for destroy), or after
 * RELEASE_WAIT_MS: the kernel can hold a dying process's sockets for a moment after it exits.
 */
export async function waitListenersReleased(listeners: readonly Listener[]): Promise<void> {
  const deadlineMs = Date.now() + RELEASE_WAIT_MS
  for (const listener of listeners) {
    for (;;) {
      try {
        await tryBind(listener)
        break
      } catch {
        if (Date.now() > deadlineMs) return
        await new Promise((resolve) => setTimeout(resolve, RELEASE_POLL_MS))
      }
    }
  }
}
