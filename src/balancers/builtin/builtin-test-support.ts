/**
 * Helpers shared by the built-in balancer's tests: temporary state directories whose proxies are
 * always stopped by PID (found in /proc by their environment marker), and a driver on one.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { Agent } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import {
  type BalancerSubject,
  eventually,
  freePort,
  loopbackAddress,
  send,
} from '../../../test/balancer-conformance.ts'
import type { InstanceId } from '../../core/ids.ts'
import type { Backend, Listener } from '../../core/load-balancer.ts'
import { createBuiltinBalancer } from './builtin-balancer.ts'
import { STATE_DIRECTORY_VARIABLE } from './state-directory.ts'

/** How long killed proxies may take to disappear, in milliseconds. */
const KILL_WAIT_MS = 5_000

export const REPOSITORY_DIRECTORY = fileURLToPath(new URL('../../../', import.meta.url))
const DEMO_APP = join(REPOSITORY_DIRECTORY, 'examples', 'demo-app', 'server.mjs')
/** How long a demo backend may take to answer after it is spawned, in milliseconds. */
const DEMO_START_MS = 10_000

const roots: string[] = []
const demoPids = new Set<number>()

/** Pids of live processes whose proxy state directory lies under `root`. */
export async function proxyPidsUnder(root: string): Promise<number[]> {
  const marker = `${STATE_DIRECTORY_VARIABLE}=${root}/`
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number)
  const found = await Promise.all(
    pids.map(async (pid) =>
      (await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '')).includes(marker) ? pid : null,
    ),
  )
  return found.filter((pid): pid is number => pid !== null)
}

export async function killProxiesUnder(root: string): Promise<void> {
  const deadlineMs = Date.now() + KILL_WAIT_MS
  for (;;) {
    const pids = await proxyPidsUnder(root)
    if (pids.length === 0) return
    if (Date.now() > deadlineMs) throw new Error(`proxy processes ${pids.join(', ')} outlived SIGKILL`)
    for (const pid of pids) killIgnoringGone(pid)
    await sleep(25)
  }
}

function killIgnoringGone(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal)
  } catch {
    // gone already
  }
}

after(async () => {
  for (const pid of demoPids) killIgnoringGone(pid)
  for (const root of roots) {
    await killProxiesUnder(root)
    await rm(root, { recursive: true, force: true })
  }
})

export async function temporaryStateDirectory(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'billow-lb-'))
  roots.push(root)
  return root
}

/** A driver on a fresh state directory; dispose kills its proxies by PID and removes the directory. */
export async function builtinSubject(): Promise<BalancerSubject & { stateDirectory: string }> {
  const stateDirectory = await temporaryStateDirectory()
  return {
    stateDirectory,
    balancer: createBuiltinBalancer({ stateDirectory }),
    async dispose() {
      await killProxiesUnder(stateDirectory)
      await rm(stateDirectory, { recursive: true, force: true })
    },
  }
}

export interface DemoBackend {
  readonly instanceId: InstanceId
  readonly pid: number
  backend(weight?: number): Backend
  /** Signals the process; SIGKILL is a crash, SIGTERM the demo app's graceful drain. */
  kill(signal: NodeJS.Signals): void
}

let demosStarted = 0

/** The demo image (examples/demo-app) as a real process of its own, on its own loopback address. */
export async function startDemoBackend(): Promise<DemoBackend> {
  demosStarted++
  const instanceId = `i-t${process.pid.toString(36)}d${demosStarted.toString(36)}` as InstanceId
  const address = loopbackAddress()
  const port = await freePort(address)
  const child = spawn(process.execPath, [DEMO_APP], {
    env: { PATH: process.env.PATH ?? '', HOST: address, PORT: String(port), INSTANCE_ID: instanceId },
    stdio: 'ignore',
  })
  const pid = child.pid
  if (pid === undefined) throw new Error('the demo app did not start')
  demoPids.add(pid)
  child.unref()
  await eventually('the demo backend answering', DEMO_START_MS, async () =>
    (await send({ host: address, port }).catch(() => null))?.status === 200 ? true : undefined,
  )
  return {
    instanceId,
    pid,
    backend: (weight = 1) => ({ instanceId, address, port, weight }),
    kill: (signal) => killIgnoringGone(pid, signal),
  }
}

export interface LoadResult {
  readonly completed: number
  /** One line per failed request: an error, or a status other than 200. */
  readonly failures: readonly string[]
  /** Answers per instance id, read from the demo app's body. */
  readonly byBackend: Readonly<Record<string, number>>
}

export interface LoadOptions {
  readonly total: number
  readonly concurrency: number
  /** Called after each answer with the count so far: where a test injects its fault. */
  readonly onProgress?: (completed: number) => void
}

/** A steady, bounded stream of GETs over keep-alive connections, `concurrency` at a time. */
export async function runLoad(listener: Listener, options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency })
  const failures: string[] = []
  const byBackend: Record<string, number> = {}
  let issued = 0
  let completed = 0
  const worker = async (): Promise<void> => {
    while (issued < options.total) {
      issued++
      try {
        const answer = await send(listener, { agent })
        if (answer.status !== 200) failures.push(`status ${answer.status}: ${answer.body}`)
        else {
          const { instanceId } = JSON.parse(answer.body) as { instanceId: string }
          byBackend[instanceId] = (byBackend[instanceId] ?? 0) + 1
        }
      } catch (error) {
        failures.push(String(error))
      }
      completed++
      options.onProgress?.(completed)
    }
  }
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker))
  } finally {
    agent.destroy()
  }
  return { completed, failures, byBackend }
}
