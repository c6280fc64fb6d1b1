/**
 * One proxy per state directory, enforced by the kernel: the proxy binds an abstract unix socket
 * (Linux) named after its directory. The kernel releases it the moment the process dies, so there
 * is never a stale lock to break, and two proxies started at once cannot both win.
 */
import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:net'

/** Bytes of the directory's hash in the lock's name: far from colliding, well inside sun_path. */
const LOCK_HASH_CHARACTERS = 40

export const lockName = (directory: string): string =>
  `\0billow-balancer-${createHash('sha256').update(directory).digest('hex').slice(0, LOCK_HASH_CHARACTERS)}`

/** Resolves with the held lock, or null when another live process holds it. */
export function acquireProxyLock(directory: string): Promise<Server | null> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy())
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(null)
      else reject(error)
    })
    server.listen(lockName(directory), () => resolve(server))
    server.unref()
  })
}
