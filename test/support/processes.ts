/**
 * Process and port helpers shared by the test harnesses that start real servers (PostgreSQL,
 * MariaDB, Prometheus, load balancers): find a free port, and stop a server by its PID.
 */
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

/** How long a server gets to exit after each signal, in milliseconds. */
const STOP_WAIT_MS = 10_000
const POLL_MS = 20

/** A TCP port nothing listens on at the moment, on `host`. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, resolve)
  })
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port from a loopback listener')
  return address.port
}

/** True while `pid` runs. A zombie counts as gone: in containers nobody may reap it. */
export async function isRunning(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined)
  if (stat === undefined) return true
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
  return state !== 'Z' && state !== 'X'
}

/** Sends `firstSignal` (the server's own clean-shutdown signal), then SIGKILL; resolves once it is gone. */
export async function stopByPid(pid: number, options: { name: string; firstSignal: NodeJS.Signals }): Promise<void> {
  for (const signal of [options.firstSignal, 'SIGKILL'] as const) {
    if (!(await isRunning(pid))) return
    process.kill(pid, signal)
    const deadlineMs = Date.now() + STOP_WAIT_MS
    while (Date.now() < deadlineMs) {
      if (!(await isRunning(pid))) return
      await sleep(POLL_MS)
    }
  }
  throw new Error(`${options.name} ${pid} did not exit after SIGKILL`)
}
