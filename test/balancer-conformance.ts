/**
 * The shared suite every Balancer passes (STYLE.md habit 10): the built-in proxy and HAProxy run
 * the same checks. An adapter's test file calls
 *
 *   describeBalancerConformance('haproxy', { create: async () => ({ balancer, dispose }) })
 *
 * with a way to make a fresh driver; `dispose` stops by PID whatever the driver started. The suite
 * starts its own backends (HTTP servers in the test process) on loopback addresses 127.68.x.y,
 * drives the balancer through its port only, and checks what clients and backends see.
 *
 * The helpers it uses are exported for adapters' own tests: test backends, addresses, a free
 * port, a test load balancer and a small HTTP client.
 */
import assert from 'node:assert/strict'
import {
  type Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import { type AddressInfo, connect, createServer as createNetServer, type Server, type Socket } from 'node:net'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { InstanceId, LoadBalancerId } from '../src/core/ids.ts'
import type { Backend, HealthCheck, Listener, LoadBalancer } from '../src/core/load-balancer.ts'
import { type Balancer, BalancerError } from '../src/ports/balancer.ts'

export interface BalancerSubject {
  readonly balancer: Balancer
  /** Stops (by PID) whatever the driver started and removes its files. */
  dispose(): Promise<void>
}

export interface BalancerConformanceOptions {
  /** A fresh driver for one test. */
  readonly create: () => Promise<BalancerSubject>
  /** How long a health verdict, a drain or a freed port may take to show, in milliseconds. */
  readonly settleMs?: number
  /** Tests run at once; each has its own driver, backends, addresses and ports. */
  readonly concurrency?: number
}

/** Default time for a change to show, in milliseconds: a few health-check intervals and a process start. */
const SETTLE_MS = 10_000
/** Tests run at once by default: enough to overlap process starts, few enough for a 2-core machine. */
const CONCURRENCY = 3
/** Pause between looks while waiting for a change, in milliseconds. */
const POLL_MS = 25
/** How long a slow test request takes at the backend, in milliseconds: longer than a drain check takes. */
const SLOW_REQUEST_MS = 2_500
/** Backend addresses one test process may take: 127.68.<5 third octets>.<1–250>. */
const ADDRESSES_PER_PROCESS = 1_250

/** A quick check, so that tests settle in a fraction of a second. */
export const TEST_HEALTH_CHECK: HealthCheck = {
  type: 'HTTP',
  path: '/health',
  expectedStatusMin: 200,
  expectedStatusMax: 399,
  intervalSeconds: 0.2,
  timeoutSeconds: 1,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
}

// ---------------------------------------------------------------------------------------------
// Addresses and ports

let addressesTaken = 0

/**
 * A loopback address of its own for each call: 127.68.a.b, where the process id chooses a range
 * of third octets (test files run in parallel processes) and a counter the rest.
 */
export function loopbackAddress(): string {
  assert.ok(addressesTaken < ADDRESSES_PER_PROCESS, 'this test process used up its loopback addresses')
  const index = addressesTaken++
  const thirdOctet = (process.pid % 50) * 5 + Math.floor(index / 250)
  return `127.68.${thirdOctet}.${(index % 250) + 1}`
}

/** A port free on `host` now (the kernel's choice), for a listener to bind a moment later. */
export async function freePort(host: string): Promise<number> {
  const server = createNetServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, resolve)
  })
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

export async function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** Occupies host:port with a bare TCP server; close it with `close`. */
export async function occupy(host: string, port: number): Promise<Server> {
  const server = createNetServer((socket: Socket) => socket.destroy())
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  return server
}

export async function eventually<T>(what: string, settleMs: number, look: () => Promise<T | undefined>): Promise<T> {
  const deadlineMs = Date.now() + settleMs
  let last: unknown
  for (;;) {
    try {
      const found = await look()
      if (found !== undefined) return found
    } catch (error) {
      last = error
    }
    if (Date.now() > deadlineMs) {
      assert.fail(`${what} did not happen within ${settleMs} ms${last ? ` (last error: ${String(last)})` : ''}`)
    }
    await sleep(POLL_MS)
  }
}

// ---------------------------------------------------------------------------------------------
// Backends

export interface TestBackend {
  readonly instanceId: InstanceId
  readonly address: string
  readonly port: number
  /** Requests answered other than health checks. */
  readonly hits: number
  /** Requests being answered now, health checks aside. */
  readonly inFlight: number
  /** Headers of the last request other than a health check. */
  readonly lastHeaders: IncomingHttpHeaders | null
  /** Health checks answer 200 when healthy, 503 when not. */
  setHealthy(healthy: boolean): void
  backend(weight?: number): Backend
  close(): Promise<void>
}

let backendsStarted = 0

/**
 * An HTTP backend in the test process. GET /health is its health check; /slow?ms=N answers
 * after N milliseconds; anything else answers 200 at once. Every answer names the backend in
 * the `x-backend` header and the body.
 */
export async function startTestBackend(host = loopbackAddress()): Promise<TestBackend> {
  backendsStarted++
  const instanceId = `i-t${process.pid.toString(36)}b${backendsStarted.toString(36)}` as InstanceId
  let healthy = true
  let hits = 0
  let inFlight = 0
  let lastHeaders: IncomingHttpHeaders | null = null
  const answer = (response: ServerResponse, status: number): void => {
    const body = JSON.stringify({ backend: instanceId })
    response.writeHead(status, { 'content-type': 'application/json', 'x-backend': instanceId })
    response.end(body)
  }
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://backend')
    if (url.pathname === '/health') {
      response.writeHead(healthy ? 200 : 503).end(healthy ? 'ok' : 'unhealthy')
      return
    }
    hits++
    inFlight++
    lastHeaders = request.headers
    request.resume()
    request.once('end', () => {
      const delayMs = url.pathname === '/slow' ? Number(url.searchParams.get('ms') ?? SLOW_REQUEST_MS) : 0
      setTimeout(() => {
        inFlight--
        answer(response, 200)
      }, delayMs)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, resolve)
  })
  const { port } = server.address() as AddressInfo
  return {
    instanceId,
    address: host,
    port,
    get hits() {
      return hits
    },
    get inFlight() {
      return inFlight
    },
    get lastHeaders() {
      return lastHeaders
    },
    setHealthy(value) {
      healthy = value
    },
    backend: (weight = 1) => ({ instanceId, address: host, port, weight }),
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Load balancers and clients

let loadBalancersMade = 0

export function testLoadBalancer(
  driver: LoadBalancer['driver'],
  listeners: readonly Listener[],
  overrides: Partial<Omit<LoadBalancer, 'listeners'>> = {},
): LoadBalancer {
  loadBalancersMade++
  return {
    id: `lb-t${process.pid.toString(36)}x${loadBalancersMade.toString(36)}` as LoadBalancerId,
    name: `conformance-${loadBalancersMade}`,
    driver,
    listeners,
    algorithm: 'RoundRobin',
    healthCheck: TEST_HEALTH_CHECK,
    drainSeconds: 10,
    createdAtMs: 0,
    ...overrides,
  }
}

export async function testListener(protocol: Listener['protocol'] = 'HTTP'): Promise<Listener> {
  const host = loopbackAddress()
  return { protocol, host, port: await freePort(host) }
}

export interface ClientAnswer {
  readonly status: number
  readonly backend: string | null
  readonly body: string
}

export interface ClientOptions {
  readonly path?: string
  readonly method?: string
  readonly body?: string
  /** Source address of the client's connection. */
  readonly localAddress?: string
  /** A keep-alive agent; by default each request has a connection of its own. */
  readonly agent?: Agent
}

/** One HTTP request; rejects when the connection fails, resolves with any status. */
export function send(listener: Pick<Listener, 'host' | 'port'>, options: ClientOptions = {}): Promise<ClientAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: listener.host,
        port: listener.port,
        path: options.path ?? '/',
        method: options.method ?? 'GET',
        localAddress: options.localAddress,
        agent: options.agent ?? false,
      },
      (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => {
          body += chunk
        })
        response.once('end', () => {
          const backend = response.headers['x-backend']
          resolve({ status: response.statusCode ?? 0, backend: typeof backend === 'string' ? backend : null, body })
        })
        response.once('error', reject)
      },
    )
    outgoing.once('error', reject)
    outgoing.end(options.body)
  })
}

/** Which backends answered `count` sequential requests, by instance id. */
export async function tally(listener: Listener, count: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (let i = 0; i < count; i++) {
    const { status, backend } = await send(listener)
    assert.equal(status, 200)
    const key = backend ?? 'none'
    counts[key] = (counts[key] ?? 0) + 1
  }
  return counts
}

// ---------------------------------------------------------------------------------------------
// The suite

export function describeBalancerConformance(name: string, options: BalancerConformanceOptions): void {
  const settleMs = options.settleMs ?? SETTLE_MS

  /** Runs `body` with a fresh driver and always disposes of it and of the backends it started. */
  const withBalancer =
    (body: (balancer: Balancer, backends: (count: number) => Promise<TestBackend[]>) => Promise<void>) => async () => {
      const subject = await options.create()
      const started: TestBackend[] = []
      const backends = async (count: number): Promise<TestBackend[]> => {
        const made = await Promise.all(Array.from({ length: count }, () => startTestBackend()))
        started.push(...made)
        return made
      }
      try {
        await body(subject.balancer, backends)
      } finally {
        await subject.dispose()
        await Promise.all(started.map((backend) => backend.close()))
      }
    }

  const healthOf = async (balancer: Balancer, loadBalancer: LoadBalancer, backend: TestBackend) =>
    (await balancer.backends(loadBalancer.id)).get(backend.instanceId)

  const untilHealth = (balancer: Balancer, loadBalancer: LoadBalancer, backend: TestBackend, health: string) =>
    eventually(`${backend.instanceId} ${health}`, settleMs, async () =>
      (await healthOf(balancer, loadBalancer, backend)) === health ? true : undefined,
    )

  async function registerHealthy(balancer: Balancer, loadBalancer: LoadBalancer, backends: readonly TestBackend[]) {
    for (const backend of backends) await balancer.register(loadBalancer.id, backend.backend())
    for (const backend of backends) await untilHealth(balancer, loadBalancer, backend, 'healthy')
  }

  describe(`Balancer conformance: ${name}`, { concurrency: options.concurrency ?? CONCURRENCY }, () => {
    test(
      'apply makes every listener accept connections; applying again changes nothing; a removed listener closes',
      withBalancer(async (balancer) => {
        const http = await testListener('HTTP')
        const tcp = await testListener('TCP')
        const loadBalancer = testLoadBalancer(balancer.driver, [http, tcp])
        await balancer.apply(loadBalancer)
        assert.equal(await accepts(http.host, http.port), true, 'the HTTP listener accepts')
        assert.equal(await accepts(tcp.host, tcp.port), true, 'the TCP listener accepts')
        await balancer.apply(loadBalancer)
        assert.equal(await accepts(http.host, http.port), true)
        await balancer.apply({ ...loadBalancer, listeners: [http] })
        assert.equal(await accepts(http.host, http.port), true)
        await eventually('the removed listener closing', settleMs, async () =>
          (await accepts(tcp.host, tcp.port)) ? undefined : true,
        )
      }),
    )

    test(
      'a registered backend gets requests once healthy, with X-Forwarded-For naming the client',
      withBalancer(async (balancer, backends) => {
        const [backend] = (await backends(1)) as [TestBackend]
        const listener = await testListener()
        const loadBalancer = testLoadBalancer(balancer.driver, [listener])
        await balancer.apply(loadBalancer)
        await balancer.register(loadBalancer.id, backend.backend())
        assert.ok(['checking', 'healthy'].includes((await healthOf(balancer, loadBalancer, backend)) ?? ''))
        await untilHealth(balancer, loadBalancer, backend, 'healthy')
        const client = loopbackAddress()
        const answer = await send(listener, { localAddress: client })
        assert.equal(answer.status, 200)
        assert.equal(answer.backend, backend.instanceId)
        const forwardedFor = String(backend.lastHeaders?.['x-forwarded-for'] ?? '')
        assert.equal(forwardedFor.split(',').at(-1)?.trim(), client)
        await balancer.register(loadBalancer.id, backend.backend(5)) // idempotent; updates the weight
        assert.equal((await balancer.backends(loadBalancer.id)).size, 1)
      }),
    )

    test(
      'round robin spreads requests evenly and ignores weights',
      withBalancer(async (balancer, backends) => {
        const [a, b] = (await backends(2)) as [TestBackend, TestBackend]
        const listener = await testListener()
        const loadBalancer = testLoadBalancer(balancer.driver, [listener], { algorithm: 'RoundRobin' })
        await balancer.apply(loadBalancer)
        await balancer.register(loadBalancer.id, a.backend(3))
        await balancer.register(loadBalancer.id, b.backend(1))
        await untilHealth(balancer, loadBalancer, a, 'healthy')
        await untilHealth(balancer, loadBalancer, b, 'healthy')
        const counts = await tally(listener, 20)
        assert.deepEqual(counts, { [a.instanceId]: 10, [b.instanceId]: 10 })
      }),
    )

    test(
      'weighted round robin follows the weights',
      withBalancer(async (balancer, backends) => {
        const [a, b] = (await backends(2)) as [TestBackend, TestBackend]
        const listener = await testListener()
        const loadBalancer = testLoadBalancer(balancer.driver, [listener], { algorithm: 'WeightedRoundRobin' })
        await balancer.apply(loadBalancer)
        await balancer.register(loadBalancer.id, a.backend(3))
        await balancer.register(loadBalancer.id, b.backend(1))
        await untilHealth(balancer, loadBalancer, a, 'healthy')
        await untilHealth(balancer, loadBalancer, b, 'healthy')
        const counts = await tally(listener, 40)
        assert.ok(Math.abs((counts[a.instanceId] ?? 0) - 30) <= 2, `3:1 weights: ${JSON.stringify(counts)}`)
        assert.equal((counts[a.instanceId] ?? 0) + (counts[b.instanceId] ?? 0), 40)
      }),
    )

    test(
      'least connections sends new requests away from a busy backend',
      withBalancer(async (balancer, backends) => {
        const [a, b] = (await backends(2)) as [TestBackend, TestBackend]
        const listener = await testListener()
        const loadBalancer = testLoadBalancer(balancer.driver, [listener], { algorithm: 'LeastConnections' })
        await balancer.apply(loadBalancer)
        await registerHealthy(balancer, loadBalancer, [a, b])
        const slow = send(listener, { path: `/slow?ms=${SLOW_REQUEST_MS}` })
        const busy = await eventually('the slow request arriving', settleMs, async () =>
          a.inFlight === 1 ? a : b.inFlight === 1 ? b : undefined,
        )
        const idle = busy === a ? b : a
        const counts = await tally(listener, 6)
        assert.deepEqual(counts, { [idle.instanceId]: 6 })
        assert.equal((await slow).status, 200)
      }),
    )

    test(
      'deregister drains: the request in flight completes, new ones go elsewhere, then the backend is gone',
      withBalancer(async (balancer, backends) => {
        const [a, b] = (await backends(2)) as [TestBackend, TestBackend]
        const listener = await testListener()
        const loadBalancer = testLoadBalancer(balancer.driver, [listener])
        await balancer.apply(loadBalancer)
        await registerHealthy(balancer, loadBalancer, [a])
        const slow = send(listener, { path: `/slow?ms=${SLOW_REQUEST_MS}` })
        await eventually('the slow request reaching a', settleMs, async () => (a.inFlight === 1 ? true : undefined))
        await registerHealthy(balancer, loadBalancer, [b])
        assert.equal(await balancer.deregister(loadBalancer.id, a.instanceId), 'draining')
        assert.deepEqual(await tally(listener, 6), { [b.instanceId]: 6 })
        const finished = await slow
        assert.equal(finished.status, 200, 'the request in flight completed')
        assert.equal(finished.backend, a.instanceId)
        await eventually('the drain ending', settleMs, async () =>
          (await balancer.deregister(loadBalancer.id, a.instanceId)) === 'gone' ? true : undefined,
        )
        assert.deepEqual([...(await balancer.backends(loadBalancer.id)).keys()], [b.instanceId])
        assert.equal(await balancer.deregister(loadBalancer.id, a.instanceId), 'gone', 'repeating is harmless')
        assert.equal(await balancer.deregister(loadBalancer.id, 'i-neverregistered' as InstanceId), 'gone')
        assert.deepEqual(await tally(listener, 3), { [b.instanceId]: 3 })
      }),
    )

    test(
      'an idle backend is gone at the first deregister',
      withBalancer(async (balancer, backends) => {
        const [a, b] = (await backends(2)) as [TestBackend, TestBackend]
        const listener = await testListener()
        const loadBalancer = testLoadBalancer(balancer.driver, [listener])
        await balancer.apply(loadBalancer)
        await registerHealthy(balancer, loadBalancer, [a, b])
        await tally(listener, 4)
        const progress = await eventually('a gone', settleMs, async () =>
          (await balancer.deregister(loadBalancer.id, a.instanceId)) === 'gone' ? 'gone' : undefined,
        )
        assert.equal(progress, 'gone')
        assert.deepEqual(await tally(listener, 4), { [b.instanceId]: 4 })
      }),
    )

    test(
      'an unhealthy backend gets no requests, and gets them again once healthy',
      withBalancer(async (balancer, backends) => {
        const [a, b] = (await backends(2)) as [TestBackend, TestBackend]
        b.setHealthy(false)
        const listener = await testListener()
        const loadBalancer = testLoadBalancer(balancer.driver, [listener])
        await balancer.apply(loadBalancer)
        await balancer.register(loadBalancer.id, a.backend())
        await balancer.register(loadBalancer.id, b.backend())
        await untilHealth(balancer, loadBalancer, a, 'healthy')
        await untilHealth(balancer, loadBalancer, b, 'unhealthy')
        assert.deepEqual(await tally(listener, 6), { [a.instanceId]: 6 })
        b.setHealthy(true)
        await untilHealth(balancer, loadBalancer, b, 'healthy')
        a.setHealthy(false)
        await untilHealth(balancer, loadBalancer, a, 'unhealthy')
        assert.deepEqual(await tally(listener, 6), { [b.instanceId]: 6 })
      }),
    )

    test(
      'a TCP listener pipes connections to healthy backends, checked by TCP connect',
      withBalancer(async (balancer, backends) => {
        const [a, b] = (await backends(2)) as [TestBackend, TestBackend]
        const listener = await testListener('TCP')
        const healthCheck: HealthCheck = {
          type: 'TCP',
          intervalSeconds: 0.2,
          timeoutSeconds: 1,
          healthyThreshold: 2,
          unhealthyThreshold: 2,
        }
        const loadBalancer = testLoadBalancer(balancer.driver, [listener], { healthCheck })
        await balancer.apply(loadBalancer)
        await registerHealthy(balancer, loadBalancer, [a, b])
        const counts = await tally(listener, 10)
        assert.deepEqual(counts, { [a.instanceId]: 5, [b.instanceId]: 5 })
        await b.close()
        await untilHealth(balancer, loadBalancer, b, 'unhealthy')
        assert.deepEqual(await tally(listener, 4), { [a.instanceId]: 4 })
      }),
    )

    test(
      'stats count requests per listener and backend',
      withBalancer(async (balancer, backends) => {
        const [a, b] = (await backends(2)) as [TestBackend, TestBackend]
        const listener = await testListener()
        const loadBalancer = testLoadBalancer(balancer.driver, [listener])
        await balancer.apply(loadBalancer)
        await registerHealthy(balancer, loadBalancer, [a, b])
        await tally(listener, 20)
        const stats = await eventually('the requests counted', settleMs, async () => {
          const found = await balancer.stats(loadBalancer.id)
          const total = found.backends.reduce((sum, backend) => sum + backend.requestsTotal, 0)
          return total >= 20 ? found : undefined
        })
        assert.equal(stats.listeners.length, 1)
        const [figures] = stats.listeners
        assert.equal(figures?.protocol, 'HTTP')
        assert.equal(figures?.port, listener.port)
        assert.ok((figures?.requestsPerSecond ?? 0) > 0, JSON.stringify(figures))
        assert.ok(figures?.latencyP50Ms !== null && figures?.latencyP99Ms !== null, JSON.stringify(figures))
        assert.ok((figures?.latencyP50Ms ?? 0) <= (figures?.latencyP99Ms ?? 0))
        assert.equal(figures?.errorRatePercent, 0)
        assert.deepEqual(
          stats.backends.map((backend) => backend.instanceId).sort(),
          [a.instanceId, b.instanceId].sort(),
        )
        for (const backend of stats.backends) {
          assert.ok(backend.requestsTotal >= 10, JSON.stringify(backend))
          assert.equal(backend.health, 'healthy')
          assert.equal(backend.draining, false)
        }
      }),
    )

    test(
      'apply with a listener port in use fails with ListenerPortInUse and leaves nothing listening',
      withBalancer(async (balancer) => {
        const free = await testListener()
        const taken = await testListener()
        const squatter = await occupy(taken.host, taken.port)
        try {
          const loadBalancer = testLoadBalancer(balancer.driver, [free, taken])
          await assert.rejects(balancer.apply(loadBalancer), (error: unknown) => {
            assert.ok(error instanceof BalancerError, String(error))
            assert.equal(error.kind, 'ListenerPortInUse')
            return true
          })
          assert.equal(await accepts(free.host, free.port), false, 'the free listener is not left bound')
        } finally {
          await new Promise((resolve) => squatter.close(resolve))
        }
      }),
    )

    test(
      'destroy frees the listener ports and forgets the balancer; repeating it resolves',
      withBalancer(async (balancer, backends) => {
        const [a] = (await backends(1)) as [TestBackend]
        const listener = await testListener()
        const loadBalancer = testLoadBalancer(balancer.driver, [listener])
        await balancer.apply(loadBalancer)
        await registerHealthy(balancer, loadBalancer, [a])
        await balancer.destroy(loadBalancer.id)
        const squatter = await occupy(listener.host, listener.port) // throws if the port is still bound
        await new Promise((resolve) => squatter.close(resolve))
        await balancer.destroy(loadBalancer.id)
        await assert.rejects(balancer.backends(loadBalancer.id), (error: unknown) => {
          assert.ok(error instanceof BalancerError, String(error))
          assert.equal(error.kind, 'NotFound')
          return true
        })
        assert.equal(await balancer.deregister(loadBalancer.id, a.instanceId), 'gone')
      }),
    )

    test(
      'register, backends and stats on an unknown balancer fail with NotFound',
      withBalancer(async (balancer, backends) => {
        const [a] = (await backends(1)) as [TestBackend]
        const unknown = testLoadBalancer(balancer.driver, [])
        const notFound = (error: unknown) => {
          assert.ok(error instanceof BalancerError, String(error))
          assert.equal(error.kind, 'NotFound')
          return true
        }
        await assert.rejects(balancer.register(unknown.id, a.backend()), notFound)
        await assert.rejects(balancer.backends(unknown.id), notFound)
        await assert.rejects(balancer.stats(unknown.id), notFound)
        await balancer.destroy(unknown.id)
      }),
    )
  })
}
