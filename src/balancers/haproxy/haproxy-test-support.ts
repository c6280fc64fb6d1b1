/**
 * Helpers for the HAProxy driver's tests: the haproxy binary or a loud reason why the tests do not
 * run, temporary state directories whose haproxy processes are always stopped by PID, loopback
 * addresses in 127.69.0.0/16, in-test HTTP backends and load balancers with quick health checks.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { type Agent, createServer, request as httpRequest, type Server } from 'node:http'
import { createServer as createTcpServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { InstanceId, LoadBalancerId } from '../../core/ids.ts'
import type { Backend, BalancingAlgorithm, Listener, LoadBalancer } from '../../core/load-balancer.ts'
import type { Balancer } from '../../ports/balancer.ts'
import { findHaproxy } from './find-haproxy.ts'
import { createHaproxyBalancer } from './haproxy-balancer.ts'
import { findHaproxyProcesses, stopHaproxyProcesses } from './haproxy-processes.ts'

/** How long a test waits for haproxy to see a change (a check passing, a drain ending), in milliseconds. */
export const SETTLE_MS = 5_000

export const HAPROXY_PATH = findHaproxy()
const MISSING_REASON = 'haproxy is not installed (Debian: apt-get install haproxy; .ci/run installs it)'

if (HAPROXY_PATH === null && process.env.CI !== 'true') {
  console.warn(`\n*** SKIPPING the HAProxy driver tests: ${MISSING_REASON} ***\n`)
}

/**
 * A test that needs haproxy: skipped, loudly, without it; on CI a missing haproxy fails instead,
 * since .ci/run installs it and its absence is a broken build, not a choice.
 */
export function haproxyTest(name: string, body: () => Promise<void>): void {
  if (HAPROXY_PATH === null && process.env.CI === 'true') {
    test(name, () => assert.fail(`${MISSING_REASON}, and CI=true requires it`))
    return
  }
  test(name, { skip: HAPROXY_PATH === null ? MISSING_REASON : false }, body)
}

const stateDirectories: string[] = []
const cleanups: (() => Promise<void>)[] = []

/** Stops, by PID, every haproxy running a configuration in `stateDirectory` (found by its command line). */
export async function stopAllHaproxyIn(stateDirectory: string): Promise<void> {
  for (const entry of await readdir(stateDirectory).catch(() => [])) {
    const config = join(stateDirectory, entry, 'haproxy.cfg')
    await stopHaproxyProcesses(await findHaproxyProcesses(config), config)
  }
}

// Every haproxy a test started is stopped by PID, then its files go.
after(async () => {
  for (const cleanup of cleanups) await cleanup()
  for (const directory of stateDirectories) {
    await stopAllHaproxyIn(directory)
    await rm(directory, { recursive: true, force: true })
  }
})

export async function temporaryStateDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'billow-haproxy-'))
  stateDirectories.push(directory)
  return directory
}

export function haproxyBalancer(stateDirectory: string): Balancer {
  assert.ok(HAPROXY_PATH)
  return createHaproxyBalancer({ stateDirectory, haproxyPath: HAPROXY_PATH })
}

const usedAddresses = new Set<string>()

/** A fresh address in 127.69.0.0/16 (bindable on Linux without configuration); random, so parallel files do not meet. */
export function loopbackAddress(): string {
  for (;;) {
    const address = `127.69.${1 + Math.floor(Math.random() * 254)}.${1 + Math.floor(Math.random() * 254)}`
    if (!usedAddresses.has(address)) {
      usedAddresses.add(address)
      return address
    }
  }
}

/** A port free on `host` now: the kernel's choice for a socket closed at once. */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createTcpServer()
    server.once('error', reject)
    server.listen(0, host, () => {
      const address = server.address()
      assert.ok(address !== null && typeof address === 'object')
      server.close(() => resolve(address.port))
    })
  })
}

export interface TestBackend extends Backend {
  /** Requests answered other than health checks. */
  readonly served: () => number
  readonly close: () => Promise<void>
}

let backendCount = 0

/**
 * An HTTP backend on its own loopback address: /health answers 200; /slow?ms=N answers after N ms;
 * anything else answers its instance id and the X-Forwarded-For it received.
 */
export async function startBackend(weight = 1): Promise<TestBackend> {
  backendCount++
  const instanceId = `i-t${process.pid.toString(36)}x${backendCount}` as InstanceId
  const address = loopbackAddress()
  let served = 0
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://backend')
    if (url.pathname === '/health') return response.end('ok')
    served++
    const body = JSON.stringify({ instanceId, forwardedFor: request.headers['x-forwarded-for'] ?? null })
    const delayMs = url.pathname === '/slow' ? Number(url.searchParams.get('ms') ?? 0) : 0
    setTimeout(() => response.end(body), delayMs)
  })
  await new Promise<void>((resolve) => server.listen(0, address, resolve))
  const port = (server.address() as { port: number }).port
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  cleanups.push(close)
  return { instanceId, address, port, weight, served: () => served, close }
}

let balancerCount = 0

export function testLoadBalancer(
  listeners: readonly Listener[],
  overrides: Partial<Pick<LoadBalancer, 'algorithm' | 'drainSeconds' | 'healthCheck'>> = {},
): LoadBalancer {
  balancerCount++
  return {
    id: `lb-t${process.pid.toString(36)}x${balancerCount}` as LoadBalancerId,
    name: `test-${balancerCount}`,
    driver: 'haproxy',
    listeners,
    algorithm: 'RoundRobin' satisfies BalancingAlgorithm,
    // Quick checks keep the tests short: a new backend serves after one pass, 100 ms apart. Two
    // failures, each after a generous timeout, mark it down: a busy test machine is not a dead backend.
    healthCheck: {
      type: 'HTTP',
      path: '/health',
      expectedStatusMin: 200,
      expectedStatusMax: 399,
      intervalSeconds: 0.1,
      timeoutSeconds: 1,
      healthyThreshold: 1,
      unhealthyThreshold: 2,
    },
    drainSeconds: 10,
    createdAtMs: 0,
    ...overrides,
  }
}

/** One HTTP listener on a fresh loopback address and free port. */
export async function httpListener(): Promise<Listener> {
  const host = loopbackAddress()
  return { protocol: 'HTTP', host, port: await freePort(host) }
}

export interface Answer {
  readonly status: number
  readonly body: string
}

/** GET; with no agent, over a fresh connection. */
export function httpGet(host: string, port: number, path = '/', agent: Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host, port, path, agent }, (response) => {
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

/** The instance id that answered a GET through the listener. */
export async function answeredBy(listener: Listener, path = '/', agent: Agent | false = false): Promise<string> {
  const { status, body } = await httpGet(listener.host, listener.port, path, agent)
  assert.equal(status, 200, `status ${status}: ${body}`)
  return (JSON.parse(body) as { instanceId: string }).instanceId
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

/** Registers and waits until haproxy says the backend is healthy. */
export async function registerHealthy(balancer: Balancer, loadBalancer: LoadBalancer, backend: Backend): Promise<void> {
  await balancer.register(loadBalancer.id, backend)
  await eventually(`${backend.instanceId} healthy`, async () =>
    (await balancer.backends(loadBalancer.id)).get(backend.instanceId) === 'healthy' ? true : undefined,
  )
}
