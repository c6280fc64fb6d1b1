/**
 * Starts one haproxy that outlives the Billow server: in the foreground of its own session (-db,
 * detached, so no daemon fork hides its pid or exit status from us), output appended to the log
 * file, unref'd so the server can exit while it runs.
 *
 * A reload starts a second process with `-x <admin socket> -sf <old pid>`: it takes the listening
 * sockets over from the old process (expose-fd listeners), so no connection is refused meanwhile,
 * and once it serves it tells the old one to finish its connections and exit.
 *
 * haproxy binds every listener and the admin socket before it runs, so "ready" is: the admin
 * socket answers with the new process's pid. A bind failure ends the process with an alert in the
 * log, which says why.
 */
import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { open, rename, stat } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { BalancerError } from '../../ports/balancer.ts'
import type { HaproxyPaths } from './balancer-directory.ts'
import { answeringPid } from './runtime-api.ts'

/** Time haproxy gets to parse its configuration, bind and answer, in milliseconds. */
const START_TIMEOUT_MS = 10_000
/** How often a starting haproxy is asked whether it answers, in milliseconds. */
const START_POLL_MS = 20
/** Most of the log read to explain a failed start, in bytes: alerts come in the last few lines. */
const START_LOG_BYTES_MAX = 16 * 1024
/**
 * Size past which the log is set aside (as haproxy.log.1, replacing an older one) when a process
 * starts. haproxy logs no request there, only alerts and server state changes, so this is rare.
 */
const LOG_BYTES_MAX = 8 * 1024 * 1024

export interface StartRequest {
  readonly haproxyPath: string
  readonly paths: HaproxyPaths
  /** The serving process, for a reload: the new one takes its sockets and retires it. */
  readonly retiringPid: number | null
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch {
    return 0
  }
}

/** What the process wrote to the log from `offset` on, at most START_LOG_BYTES_MAX of its end. */
async function logSince(path: string, offset: number): Promise<string> {
  const handle = await open(path, 'r')
  try {
    const size = (await handle.stat()).size
    const start = Math.max(offset, size - START_LOG_BYTES_MAX)
    const buffer = Buffer.alloc(Math.max(0, size - start))
    await handle.read(buffer, 0, buffer.length, start)
    return buffer.toString('utf8')
  } finally {
    await handle.close()
  }
}

/** A failed start, told by haproxy's alerts: a listener address in use is the caller's to fix. */
function startFailure(log: string, exit: string): BalancerError {
  const alerts = log
    .split('\n')
    .filter((line) => line.includes('[ALERT]'))
    .map((line) => line.replace(/^\[ALERT\]\s+\(\d+\)\s+:\s+/, ''))
  const inUse = /cannot bind socket \(Address already in use\) for \[([^\]]+)\]/.exec(log)
  if (inUse) return new BalancerError(`${inUse[1]} is in use by another program`, 'ListenerPortInUse')
  const detail = alerts.length > 0 ? alerts.join('; ') : log.trim().split('\n').slice(-5).join('; ')
  return new BalancerError(`haproxy did not start (${exit}): ${detail || 'no output'}`, 'Unavailable')
}

/** Spawns haproxy and resolves with its pid once it serves. Throws BalancerError. */
export async function startHaproxy(request: StartRequest): Promise<number> {
  const { haproxyPath, paths, retiringPid } = request
  if ((await fileSize(paths.logFile)) > LOG_BYTES_MAX) await rename(paths.logFile, `${paths.logFile}.1`)
  const logOffset = await fileSize(paths.logFile)
  const args = ['-db', '-f', paths.config]
  if (retiringPid !== null) args.push('-x', paths.adminSocket, '-sf', String(retiringPid))
  const output = openSync(paths.logFile, 'a', 0o600)
  let child: ReturnType<typeof spawn>
  try {
    child = spawn(haproxyPath, args, {
      cwd: paths.directory,
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
      detached: true,
      stdio: ['ignore', output, output],
    })
  } finally {
    closeSync(output) // the child holds its own copy
  }
  let exit: string | null = null
  child.once('exit', (code, signal) => {
    exit = signal === null ? `exit code ${code}` : `killed by ${signal}`
  })
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve))
  const pid = child.pid
  if (pid === undefined) {
    const error = await spawnError
    throw new BalancerError(
      `the haproxy binary ${haproxyPath} could not run (${error.message}); install haproxy (Debian: apt-get install haproxy) or pass haproxyPath`,
      'Unavailable',
      { cause: error },
    )
  }
  child.unref()
  const deadlineMs = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (exit !== null) throw startFailure(await logSince(paths.logFile, logOffset), exit)
    if ((await answeringPid(paths.adminSocket).catch(() => null)) === pid) return pid
    if (Date.now() > deadlineMs) {
      process.kill(pid, 'SIGKILL')
      const log = await logSince(paths.logFile, logOffset)
      throw new BalancerError(`haproxy did not answer within ${START_TIMEOUT_MS} ms: ${log.trim()}`, 'Unavailable')
    }
    await sleep(START_POLL_MS)
  }
}
