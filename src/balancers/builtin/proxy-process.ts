/**
 * Starts, finds and stops the proxy processes of one state directory, from the driver's side.
 *
 * The proxy is started like an instance: detached (its own session and process group), output
 * appended to proxy.log, unref'd, so it outlives the server. Its processes (supervisor, worker,
 * and the worker's tsx compiler service) carry the directory in their environment, which is how
 * they are found in /proc by a server that did not start them.
 */
import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { BalancerError } from '../../ports/balancer.ts'
import { controlRequest, ProxyNotRunning } from './control-client.ts'
import { controlRoutes, type ProxyStatus } from './control-protocol.ts'
import { type ProxyPaths, STATE_DIRECTORY_VARIABLE } from './state-directory.ts'

/** How long a new proxy may take to serve its control socket, in milliseconds (tsx compiles on first load). */
export const PROXY_START_TIMEOUT_MS = 20_000
/** How long a proxy asked to shut down may take to exit before it is killed, in milliseconds. */
const SHUTDOWN_WAIT_MS = 5_000
/** How long the kernel gets to end killed processes, in milliseconds. */
const KILL_WAIT_MS = 5_000
/** Pause between looks while waiting for a proxy to start or stop, in milliseconds. */
const POLL_MS = 25
/** A log longer than this, in bytes, is moved to proxy.log.1 when the proxy starts. */
const LOG_ROTATE_BYTES = 10 * 1024 * 1024
/** Log tail quoted when a proxy fails to start, in bytes. */
const LOG_TAIL_BYTES = 2_000

const SUPERVISOR_PATH = fileURLToPath(new URL('./proxy-supervisor.mjs', import.meta.url))
const WORKER_PATH = fileURLToPath(new URL('./proxy-main.ts', import.meta.url))

/** The proxy's environment: only what finding programs needs; the server's secrets stay with the server. */
function proxyEnvironment(directory: string): Record<string, string> {
  const environment: Record<string, string> = {}
  for (const name of ['PATH', 'HOME', 'TMPDIR']) {
    const value = process.env[name]
    if (value !== undefined) environment[name] = value
  }
  environment[STATE_DIRECTORY_VARIABLE] = directory
  return environment
}

export const proxyStatus = (paths: ProxyPaths): Promise<ProxyStatus | null> =>
  controlRequest<ProxyStatus>(paths.controlSocket, 'GET', controlRoutes.status).catch((error: unknown) => {
    if (error instanceof ProxyNotRunning) return null
    throw error
  })

async function logTail(paths: ProxyPaths): Promise<string> {
  const text = await readFile(paths.logFile, 'utf8').catch(() => '')
  return text.slice(-LOG_TAIL_BYTES)
}

async function rotateLog(paths: ProxyPaths): Promise<void> {
  const found = await stat(paths.logFile).catch(() => null)
  if (found !== null && found.size > LOG_ROTATE_BYTES) await rename(paths.logFile, `${paths.logFile}.1`)
}

/** Starts the proxy of `paths` and resolves once its control socket answers. */
export async function startProxy(paths: ProxyPaths): Promise<ProxyStatus> {
  await mkdir(paths.directory, { recursive: true, mode: 0o700 })
  await rotateLog(paths)
  const output = openSync(paths.logFile, 'a')
  let exited = false
  try {
    const child = spawn(process.execPath, [SUPERVISOR_PATH, paths.directory, import.meta.resolve('tsx'), WORKER_PATH], {
      cwd: paths.directory,
      env: proxyEnvironment(paths.directory),
      detached: true,
      stdio: ['ignore', output, output],
    })
    child.once('exit', () => {
      exited = true
    })
    child.once('error', () => {
      exited = true
    })
    child.unref()
  } finally {
    closeSync(output) // the child holds its own copy of the descriptor
  }
  const deadlineMs = Date.now() + PROXY_START_TIMEOUT_MS
  for (;;) {
    const status = await proxyStatus(paths)
    if (status !== null) return status
    // A supervisor that exited may have found another proxy already serving: look once more first.
    if (exited && (await proxyStatus(paths)) === null) {
      throw new BalancerError(`the proxy exited while starting:\n${await logTail(paths)}`, 'Unavailable')
    }
    if (Date.now() > deadlineMs) {
      throw new BalancerError(
        `the proxy did not start within ${PROXY_START_TIMEOUT_MS} ms:\n${await logTail(paths)}`,
        'Unavailable',
      )
    }
    await sleep(POLL_MS)
  }
}

/** Pids of the live processes whose environment names `directory`: the proxy's, whoever started it. */
export async function findProxyProcesses(directory: string): Promise<number[]> {
  const marker = `${STATE_DIRECTORY_VARIABLE}=${directory}\0`
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number)
  const found = await Promise.all(
    pids.map(async (pid) => {
      const environ = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '')
      return environ.includes(marker) ? pid : null
    }),
  )
  return found.filter((pid): pid is number => pid !== null)
}

async function waitGone(directory: string, waitMs: number): Promise<number[]> {
  const deadlineMs = Date.now() + waitMs
  for (;;) {
    const left = await findProxyProcesses(directory)
    if (left.length === 0 || Date.now() > deadlineMs) return left
    await sleep(POLL_MS)
  }
}

/**
 * Stops the proxy: asks it over the control socket, then kills whatever is left by PID. Resolves
 * when no process of the directory runs, so its listeners' ports are free.
 */
export async function stopProxy(paths: ProxyPaths): Promise<void> {
  await controlRequest(paths.controlSocket, 'POST', controlRoutes.shutdown).catch(() => undefined)
  let left = await waitGone(paths.directory, SHUTDOWN_WAIT_MS)
  if (left.length === 0) return
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
    }
  }
  left = await waitGone(paths.directory, KILL_WAIT_MS)
  if (left.length > 0) throw new BalancerError(`proxy processes ${left.join(', ')} survived SIGKILL`, 'Unavailable')
}
