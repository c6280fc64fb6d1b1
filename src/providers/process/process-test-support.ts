/**
 * Helpers shared by the process provider's tests: temporary roots that are always cleaned up,
 * unique loopback addresses, the demo image and small inline scripts as images.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import type { ImageId, InstanceId } from '../../core/ids.ts'
import { findInstanceType } from '../../core/instance-type.ts'
import type { Image } from '../../core/types.ts'
import type { LaunchRequest } from '../../ports/provider.ts'
import { isAlive, readProcessStat } from './proc-scan.ts'
import { createProcessProvider } from './process-provider.ts'

export const REPOSITORY_DIRECTORY = fileURLToPath(new URL('../../../', import.meta.url))
const DEMO_DIRECTORY = join(REPOSITORY_DIRECTORY, 'examples', 'demo-app')
/** Port every test instance listens on; each has its own IP, so they never collide. */
const TEST_PORT = 18080
/** How long a test waits for a real process to start, answer or exit, in milliseconds. */
export const SETTLE_MS = 10_000

/** Launches one test file may make: each takes the next last octet of its IP. */
const LAUNCHES_PER_FILE_MAX = 255

const roots: string[] = []

// Whatever a test leaves running is terminated by PID through the provider, then its files go.
after(async () => {
  for (const rootDirectory of roots) {
    const provider = createProcessProvider({ rootDirectory })
    for (const instance of await provider.list()) await provider.terminate(instance.instanceId)
    await rm(rootDirectory, { recursive: true, force: true })
  }
})

export async function temporaryRoot(): Promise<string> {
  const rootDirectory = await mkdtemp(join(tmpdir(), 'billow-process-'))
  roots.push(rootDirectory)
  return rootDirectory
}

let launches = 0

/**
 * A launch request for the demo image with a fresh id, token and loopback IP: 127.a.b.n, where a.b
 * come from the test process id (test files run in parallel) and n counts the file's launches.
 */
export function demoRequest(overrides: Partial<LaunchRequest> = {}): LaunchRequest {
  launches++
  assert.ok(launches < LAUNCHES_PER_FILE_MAX, 'the last octet of test IPs is running out')
  const type = findInstanceType('bl.micro')
  assert.ok(type)
  const image: Image = {
    id: 'img-demo' as ImageId,
    name: 'demo-app',
    directory: DEMO_DIRECTORY,
    command: [process.execPath, 'server.mjs'],
    healthPath: '/health',
    createdAtMs: 0,
  }
  return {
    clientToken: `asa-test${process.pid}#${launches}`,
    instanceId: `i-t${process.pid.toString(36)}x${launches.toString(36)}` as InstanceId,
    image,
    instanceType: type,
    zoneId: 'zone-a',
    privateIp: `127.${100 + (process.pid % 100)}.${Math.floor(process.pid / 100) % 256}.${launches}`,
    port: TEST_PORT,
    env: {},
    userData: null,
    ...overrides,
  }
}

/** A request whose image is an inline Node script, for behaviours the demo app does not have. */
export function scriptRequest(script: string): LaunchRequest {
  const request = demoRequest()
  return { ...request, image: { ...request.image, directory: tmpdir(), command: [process.execPath, '-e', script] } }
}

export async function launchedPid(rootDirectory: string, instanceId: string): Promise<number> {
  const record = JSON.parse(await readFile(join(rootDirectory, instanceId, 'launch.json'), 'utf8')) as { pid: number }
  return record.pid
}

export async function isRunning(pid: number): Promise<boolean> {
  const stat = await readProcessStat(pid)
  return stat !== null && isAlive(stat)
}

export async function eventually<T>(what: string, look: () => Promise<T | undefined>): Promise<T> {
  const deadlineMs = Date.now() + SETTLE_MS
  for (;;) {
    const found = await look().catch(() => undefined)
    if (found !== undefined) return found
    if (Date.now() > deadlineMs) assert.fail(`${what} did not happen within ${SETTLE_MS} ms`)
    await sleep(25)
  }
}

/** GET over a fresh connection (no keep-alive pool holding sockets to instances after a test). */
export function httpGet(host: string, port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host, port, path, agent: false }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        body += chunk
      })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
      response.on('error', reject)
    })
    outgoing.on('error', reject)
    outgoing.end()
  })
}

/** The demo instance's answer to GET /, once it answers. */
export const demoAnswer = (request: LaunchRequest) =>
  eventually('the instance answering', async () => {
    const { status, body } = await httpGet(request.privateIp, request.port, '/')
    return status === 200 ? (JSON.parse(body) as Record<string, unknown>) : undefined
  })
