/**
 * Real servers for end-to-end tests: `billow serve` as a child process on a temporary data
 * directory, a small REST client with the directory's admin token, and a look at the instance
 * processes it runs through /proc. Everything a test starts is tracked by a `ServerLab` and
 * ended by PID in its `dispose()`: the servers, every instance process of its data directories,
 * then the directories themselves.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { dataPaths, type ServerInfo } from '../../src/config.ts'
import { findInstanceProcesses, type InstanceProcess } from '../../src/providers/process/proc-scan.ts'

export const REPOSITORY_DIRECTORY = fileURLToPath(new URL('../../', import.meta.url))
export const DEMO_APP_DIRECTORY = join(REPOSITORY_DIRECTORY, 'examples', 'demo-app')
const BILLOW_BIN = join(REPOSITORY_DIRECTORY, 'bin', 'billow.mjs')

/** How long a server may take to start (tsx compiles the sources on first load), in milliseconds. */
export const SERVER_START_MS = 30_000
/** How long a process may take to exit after a signal, in milliseconds. */
const EXIT_WAIT_MS = 15_000
/** Pause between looks while waiting for a condition, in milliseconds. */
const POLL_MS = 100
/** Server output kept for failure messages, in characters. */
const OUTPUT_KEPT_MAX = 64 * 1024

// ---------------------------------------------------------------------------------------------
// Waiting

export interface WaitOptions {
  /** What is awaited, for the failure message. */
  readonly what: string
  readonly timeoutMs: number
  readonly intervalMs?: number
}

/**
 * Polls `look` until it returns something other than undefined/false, and returns that; fails
 * after `timeoutMs` with the last value seen (or the last error thrown) in the message.
 */
export async function waitFor<T>(look: () => Promise<T | undefined | false>, options: WaitOptions): Promise<T> {
  const deadlineMs = Date.now() + options.timeoutMs
  let last: unknown
  for (;;) {
    try {
      const found = await look()
      if (found !== undefined && found !== false) return found
      last = found
    } catch (error) {
      last = error
    }
    if (Date.now() > deadlineMs) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last)
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what} (last: ${detail})`)
    }
    await sleep(options.intervalMs ?? POLL_MS)
  }
}

/** Checks `check` repeatedly for `durationMs`; fails at the first look where it no longer holds. */
export async function holdsFor(check: () => Promise<string | undefined>, durationMs: number): Promise<void> {
  const endMs = Date.now() + durationMs
  while (Date.now() < endMs) {
    const problem = await check()
    if (problem !== undefined) throw new Error(problem)
    await sleep(POLL_MS * 2)
  }
}

// ---------------------------------------------------------------------------------------------
// REST client

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what} → ${status}: ${body}`)
  }
}

export class RestClient {
  constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  get<T = Record<string, unknown>>(path: string): Promise<T> {
    return this.#json<T>('GET', path)
  }

  post<T = Record<string, unknown>>(path: string, body: unknown = {}): Promise<T> {
    return this.#json<T>('POST', path, body)
  }

  /** A text answer (instance logs). */
  async text(path: string): Promise<string> {
    const response = await this.#send('GET', path)
    return response.text()
  }

  async #json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.#send(method, path, body)
    const text = await response.text()
    return (text === '' ? {} : JSON.parse(text)) as T
  }

  async #send(method: string, path: string, body?: unknown): Promise<Response> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(EXIT_WAIT_MS),
    })
    if (!response.ok) throw new ApiError(response.status, await response.text(), `${method} ${path}`)
    return response
  }
}

// ---------------------------------------------------------------------------------------------
// The API's shapes, as far as the tests read them

export interface ApiInstance {
  readonly id: string
  readonly groupId: string | null
  readonly state: 'Pending' | 'InService' | 'Standby' | 'Removing' | 'Terminated'
  readonly health: 'Healthy' | 'Unhealthy'
  readonly zoneId: string
  readonly privateIp: string
  readonly port: number
  readonly activityId: string | null
  readonly statusReason: string | null
}

export interface ApiActivity {
  readonly id: string
  readonly groupId: string
  readonly request: { readonly kind: string }
  readonly status: 'Queued' | 'InProgress' | 'Successful' | 'Warning' | 'Failed' | 'Rejected'
  readonly cause: string
  readonly description: string
  readonly statusMessage: string | null
}

export const TERMINAL_STATUSES: ReadonlySet<ApiActivity['status']> = new Set([
  'Successful',
  'Warning',
  'Failed',
  'Rejected',
])

export interface DemoGroup {
  readonly imageId: string
  readonly launchConfigurationId: string
  readonly groupId: string
}

/** Registers the demo app as an image, a launch configuration for it, and a group over `zones`. */
export async function createDemoGroup(
  api: RestClient,
  group: {
    readonly name: string
    readonly zones: readonly { zoneId: string; subnet: string }[]
    readonly desiredCapacity: number
    readonly maxSize?: number
    readonly defaultCooldownSeconds?: number
  },
): Promise<DemoGroup> {
  const image = await api.post<{ id: string }>('/v1/images', {
    name: `${group.name}-demo`,
    directory: DEMO_APP_DIRECTORY,
    command: [process.execPath, 'server.mjs'],
    healthPath: '/health',
  })
  const launchConfiguration = await api.post<{ id: string }>('/v1/launch-configurations', {
    name: `${group.name}-lc`,
    imageId: image.id,
  })
  const created = await api.post<{ id: string }>('/v1/groups', {
    name: group.name,
    minSize: 0,
    maxSize: group.maxSize ?? 10,
    desiredCapacity: group.desiredCapacity,
    defaultCooldownSeconds: group.defaultCooldownSeconds ?? 0,
    zones: group.zones,
    launchConfigurationId: launchConfiguration.id,
  })
  return { imageId: image.id, launchConfigurationId: launchConfiguration.id, groupId: created.id }
}

export async function liveInstances(api: RestClient, groupId: string): Promise<ApiInstance[]> {
  return (await api.get<{ instances: ApiInstance[] }>(`/v1/instances?groupId=${groupId}`)).instances
}

/** Every instance record of the group, terminated ones included. */
export async function allInstances(api: RestClient, groupId: string): Promise<ApiInstance[]> {
  return (await api.get<{ instances: ApiInstance[] }>(`/v1/instances?groupId=${groupId}&all=true`)).instances
}

export async function activitiesOf(api: RestClient, groupId: string): Promise<ApiActivity[]> {
  return (await api.get<{ activities: ApiActivity[] }>(`/v1/activities?groupId=${groupId}&limit=500`)).activities
}

/** Waits until the group has exactly `count` live members, all InService, and no activity running or queued. */
export async function waitForSettled(
  api: RestClient,
  groupId: string,
  count: number,
  timeoutMs: number,
): Promise<ApiInstance[]> {
  return waitFor(
    async () => {
      const members = await liveInstances(api, groupId)
      const busy = (await activitiesOf(api, groupId)).filter((activity) => !TERMINAL_STATUSES.has(activity.status))
      const settled =
        busy.length === 0 && members.length === count && members.every((member) => member.state === 'InService')
      return settled ? members : undefined
    },
    { what: `group ${groupId} settled at ${count} InService`, timeoutMs },
  )
}

// ---------------------------------------------------------------------------------------------
// Instance processes

/** The instance processes of a data directory, by instance id, read from /proc. */
export function instanceProcesses(dataDir: string): Promise<Map<string, InstanceProcess[]>> {
  return findInstanceProcesses(dataPaths(dataDir).instances)
}

/** The environment of a process, read from /proc; empty when it is gone. */
export async function processEnvironment(pid: number): Promise<Map<string, string>> {
  const variables = new Map<string, string>()
  let raw: string
  try {
    raw = await readFile(`/proc/${pid}/environ`, 'latin1')
  } catch {
    return variables
  }
  for (const entry of raw.split('\0')) {
    const equals = entry.indexOf('=')
    if (equals > 0) variables.set(entry.slice(0, equals), entry.slice(equals + 1))
  }
  return variables
}

/** Whether `pid` is still a live process (not gone, not a zombie). */
export async function isProcessAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state !== 'Z' && state !== 'X'
  } catch {
    return false
  }
}

/** SIGKILLs every instance process of the data directory, by PID, and waits until none is left. */
export async function killInstanceProcesses(dataDir: string): Promise<void> {
  await waitFor(
    async () => {
      const found = [...(await instanceProcesses(dataDir)).values()].flat()
      for (const instance of found) {
        try {
          process.kill(instance.stat.pid, 'SIGKILL')
        } catch {
          // exited meanwhile
        }
      }
      return found.length === 0
    },
    { what: `the instance processes of ${dataDir} to end`, timeoutMs: EXIT_WAIT_MS, intervalMs: 200 },
  )
}

/**
 * SIGKILLs the load balancers' data planes of a data directory (built-in proxy supervisors and
 * workers, haproxy processes): every process whose command line names a path inside it.
 */
export async function killDataPlaneProcesses(dataDir: string): Promise<void> {
  const paths = dataPaths(dataDir)
  const inside = [paths.builtinBalancers, paths.haproxy]
  await waitFor(
    async () => {
      let found = 0
      for (const entry of await readdir('/proc')) {
        if (!/^\d+$/.test(entry)) continue
        const pid = Number(entry)
        let commandLine: string
        try {
          commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ')
        } catch {
          continue
        }
        if (!inside.some((path) => commandLine.includes(path)) || !(await isProcessAlive(pid))) continue
        found += 1
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          // exited meanwhile
        }
      }
      return found === 0
    },
    { what: `the data planes of ${dataDir} to end`, timeoutMs: EXIT_WAIT_MS, intervalMs: 200 },
  )
}

/** The instance directories the process provider made under the data directory. */
export async function instanceDirectories(dataDir: string): Promise<string[]> {
  try {
    return (await readdir(dataPaths(dataDir).instances, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
  } catch {
    return []
  }
}

// ---------------------------------------------------------------------------------------------
// Servers

export class ServerProcess {
  readonly #child: ChildProcess
  #output = ''
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  url = ''
  api: RestClient = new RestClient('', '')

  constructor(
    readonly dataDir: string,
    child: ChildProcess,
  ) {
    this.#child = child
    const keep = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString('utf8')).slice(-OUTPUT_KEPT_MAX)
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  }

  get pid(): number {
    const pid = this.#child.pid
    if (pid === undefined) throw new Error('the server process did not start')
    return pid
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null
  }

  /** What the server printed (its log lines), for failure messages. */
  get output(): string {
    return this.#output
  }

  /** Sends `signal` and waits for the server to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.#child.kill(signal)
    const timer = new AbortController()
    const exit = await Promise.race([
      this.exited,
      sleep(EXIT_WAIT_MS, undefined, { signal: timer.signal }).catch(() => undefined),
    ]).finally(() => timer.abort())
    if (exit === undefined) {
      this.#child.kill('SIGKILL')
      throw new Error(`the server did not exit within ${EXIT_WAIT_MS} ms of ${signal}\n${this.#output}`)
    }
    return exit
  }

  /** SIGKILL: the server ends at once, mid-step, with nothing cleaned up. */
  crash(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.stop('SIGKILL')
  }
}

/**
 * The servers and data directories of one test file. Call `dispose()` in an after/afterEach
 * hook: it SIGKILLs the servers still running, every instance process of each data directory
 * (by PID, found in /proc), and removes the directories.
 */
export class ServerLab {
  readonly #dataDirs: string[] = []
  readonly #servers: ServerProcess[] = []

  async dataDir(label: string): Promise<string> {
    const dataDir = await mkdtemp(join(tmpdir(), `billow-${label}-`))
    this.#dataDirs.push(dataDir)
    return dataDir
  }

  /** Starts `billow serve --port 0` on the data directory and waits until it answers. */
  async start(dataDir: string): Promise<ServerProcess> {
    const child = spawn(
      process.execPath,
      [BILLOW_BIN, '--data', dataDir, 'serve', '--host', '127.0.0.1', '--port', '0'],
      { cwd: REPOSITORY_DIRECTORY, stdio: ['ignore', 'pipe', 'pipe'], env: serverEnvironment() },
    )
    const server = new ServerProcess(dataDir, child)
    this.#servers.push(server)
    const paths = dataPaths(dataDir)
    // server.json may be left over from a server that was killed: wait for the one of this pid.
    const info = await waitFor(
      async () => {
        if (!server.running) throw new Error(`the server exited while starting\n${server.output}`)
        const found = JSON.parse(await readFile(paths.serverInfo, 'utf8')) as ServerInfo
        return found.pid === server.pid ? found : undefined
      },
      { what: `the server on ${dataDir} to write server.json`, timeoutMs: SERVER_START_MS },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${server.output}`)
    })
    const token = (await readFile(paths.adminToken, 'utf8')).trim()
    server.url = info.url
    server.api = new RestClient(info.url, token)
    await waitFor(async () => (await fetch(`${info.url}/healthz`, { signal: AbortSignal.timeout(EXIT_WAIT_MS) })).ok, {
      what: 'the server to answer /healthz',
      timeoutMs: SERVER_START_MS,
    })
    return server
  }

  async dispose(): Promise<void> {
    for (const server of this.#servers) {
      if (server.running) await server.crash().catch(() => undefined)
    }
    for (const dataDir of this.#dataDirs) {
      await killDataPlaneProcesses(dataDir)
      await killInstanceProcesses(dataDir)
      await rm(dataDir, { recursive: true, force: true })
    }
    this.#servers.length = 0
    this.#dataDirs.length = 0
  }
}

/** The test runner's environment, without anything that would point the server elsewhere. */
function serverEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const name of [
    'BILLOW_URL',
    'BILLOW_TOKEN',
    'BILLOW_DATA_DIR',
    'BILLOW_HOST',
    'BILLOW_PORT',
    'NODE_TEST_CONTEXT',
  ])
    delete env[name]
  return env
}
