/**
 * What the built-in HTTP listener does beyond the shared suite: forwarding headers, pooled
 * backend connections, repeats after a refused connection, bodies of every size, 502s, and the
 * drain deadline.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import {
  eventually,
  loopbackAddress,
  send,
  startTestBackend,
  type TestBackend,
  tally,
  testListener,
  testLoadBalancer,
} from '../../../test/balancer-conformance.ts'
import type { InstanceId } from '../../core/ids.ts'
import type { HealthCheck, Listener, LoadBalancer } from '../../core/load-balancer.ts'
import type { Balancer } from '../../ports/balancer.ts'
import { builtinSubject } from './builtin-test-support.ts'
import { RETRY_BODY_BYTES_MAX } from './http-listener.ts'

const SETTLE_MS = 10_000

/** One pass makes a backend healthy and the next check is far away: a backend closed later still counts as healthy. */
const SLOW_CHECK: HealthCheck = {
  type: 'HTTP',
  path: '/health',
  expectedStatusMin: 200,
  expectedStatusMax: 299,
  intervalSeconds: 60,
  timeoutSeconds: 1,
  healthyThreshold: 1,
  unhealthyThreshold: 3,
}

async function behind(
  balancer: Balancer,
  backends: readonly { instanceId: InstanceId; backend(): ReturnType<TestBackend['backend']> }[],
  overrides: Partial<LoadBalancer> = {},
): Promise<{ listener: Listener; loadBalancer: LoadBalancer }> {
  const listener = await testListener()
  const loadBalancer = testLoadBalancer('builtin', [listener], overrides)
  await balancer.apply(loadBalancer)
  for (const backend of backends) await balancer.register(loadBalancer.id, backend.backend())
  await eventually('backends healthy', SETTLE_MS, async () => {
    const health = await balancer.backends(loadBalancer.id)
    return backends.every((backend) => health.get(backend.instanceId) === 'healthy') ? true : undefined
  })
  return { listener, loadBalancer }
}

/** A backend answering every request with the SHA-256 and length of the body it received. */
async function startDigestBackend() {
  const host = loopbackAddress()
  let connections = 0
  const server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    const hash = createHash('sha256')
    let bytes = 0
    incoming.on('data', (chunk: Buffer) => {
      hash.update(chunk)
      bytes += chunk.length
    })
    incoming.once('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(
        JSON.stringify({ bytes, sha256: hash.digest('hex'), chunked: incoming.headers['transfer-encoding'] }),
      )
    })
  })
  server.on('connection', () => connections++)
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  const { port } = server.address() as AddressInfo
  const instanceId = `i-t${process.pid.toString(36)}digest` as InstanceId
  return {
    instanceId,
    get connections() {
      return connections
    },
    backend: () => ({ instanceId, address: host, port, weight: 1 }),
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

function post(listener: Listener, body: Buffer, chunked: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({
      host: listener.host,
      port: listener.port,
      method: 'POST',
      path: '/upload',
      agent: false,
      headers: chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': body.length },
    })
    outgoing.once('response', (response) => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        text += chunk
      })
      response.once('end', () => resolve({ status: response.statusCode ?? 0, body: text }))
    })
    outgoing.once('error', reject)
    // Several writes, so a chunked body really arrives in chunks.
    const pieces = 8
    const size = Math.ceil(body.length / pieces)
    for (let i = 0; i < pieces; i++) outgoing.write(body.subarray(i * size, (i + 1) * size))
    outgoing.end()
  })
}

test('X-Forwarded-For is appended to, -Proto and -Host are set, hop-by-hop headers stay on their hop', async () => {
  const { balancer, dispose } = await builtinSubject()
  const backend = await startTestBackend()
  try {
    const { listener } = await behind(balancer, [backend])
    const client = loopbackAddress()
    await new Promise<void>((resolve, reject) => {
      const outgoing = request({
        host: listener.host,
        port: listener.port,
        path: '/',
        localAddress: client,
        agent: false,
        headers: {
          host: 'shop.example',
          'x-forwarded-for': '203.0.113.7',
          'x-forwarded-proto': 'https',
          connection: 'keep-alive, x-hop-secret',
          'x-hop-secret': 'not for the backend',
          'x-end-to-end': 'for the backend',
        },
      })
      outgoing.once('response', (response) => {
        response.resume()
        response.once('end', resolve)
      })
      outgoing.once('error', reject)
      outgoing.end()
    })
    const seen = backend.lastHeaders
    assert.equal(seen?.['x-forwarded-for'], `203.0.113.7, ${client}`)
    assert.equal(seen?.['x-forwarded-proto'], 'http', 'the client cannot claim another scheme')
    assert.equal(seen?.['x-forwarded-host'], 'shop.example')
    assert.equal(seen?.host, 'shop.example', 'the Host header is kept')
    assert.equal(seen?.['x-hop-secret'], undefined)
    assert.equal(seen?.['x-end-to-end'], 'for the backend')
  } finally {
    await dispose()
    await backend.close()
  }
})

test('requests reuse pooled connections to the backend', async () => {
  const { balancer, dispose } = await builtinSubject()
  const backend = await startDigestBackend()
  try {
    const { listener } = await behind(balancer, [backend])
    const before = backend.connections
    for (let i = 0; i < 20; i++) assert.equal((await send(listener)).status, 200)
    assert.ok(backend.connections - before <= 2, `${backend.connections - before} connections for 20 requests`)
  } finally {
    await dispose()
    await backend.close()
  }
})

test('a refused connection is repeated on another backend, for GET and POST alike', async () => {
  const { balancer, dispose } = await builtinSubject()
  const [a, b] = await Promise.all([startTestBackend(), startTestBackend()])
  try {
    const { listener } = await behind(balancer, [a, b], { healthCheck: SLOW_CHECK })
    await b.close() // still judged healthy: the next check is a minute away
    assert.deepEqual(await tally(listener, 6), { [a.instanceId]: 6 })
    for (let i = 0; i < 4; i++) {
      const answer = await send(listener, { method: 'POST', path: '/orders', body: '{"item":1}' })
      assert.equal(answer.status, 200)
      assert.equal(answer.backend, a.instanceId)
    }
    await a.close()
    assert.equal((await send(listener)).status, 502, 'no backend left to take it')
  } finally {
    await dispose()
  }
})

test('request bodies of every size reach the backend intact, buffered or streamed, chunked or not', async () => {
  const { balancer, dispose } = await builtinSubject()
  const backend = await startDigestBackend()
  try {
    const { listener } = await behind(balancer, [backend])
    for (const size of [1, RETRY_BODY_BYTES_MAX, RETRY_BODY_BYTES_MAX + 1, 3 * 1024 * 1024]) {
      for (const chunked of [false, true]) {
        const body = Buffer.alloc(size, size % 251)
        const answer = await post(listener, body, chunked)
        assert.equal(answer.status, 200)
        const seen = JSON.parse(answer.body) as { bytes: number; sha256: string }
        assert.equal(seen.bytes, size, `size ${size}, chunked ${chunked}`)
        assert.equal(seen.sha256, createHash('sha256').update(body).digest('hex'))
      }
    }
  } finally {
    await dispose()
    await backend.close()
  }
})

test('with no backend at all the answer is 502, counted as an error', async () => {
  const { balancer, dispose } = await builtinSubject()
  try {
    const listener = await testListener()
    const loadBalancer = testLoadBalancer('builtin', [listener])
    await balancer.apply(loadBalancer)
    assert.equal((await send(listener)).status, 502)
    const stats = await balancer.stats(loadBalancer.id)
    assert.equal(stats.listeners[0]?.errorRatePercent, 100)
  } finally {
    await dispose()
  }
})

test('a drain that outlasts drainSeconds cuts what is left (502, not repeated) and the backend is gone', async () => {
  const { balancer, dispose } = await builtinSubject()
  const [a, b] = await Promise.all([startTestBackend(), startTestBackend()])
  try {
    const { listener, loadBalancer } = await behind(balancer, [a], { drainSeconds: 0.5 })
    const slow = send(listener, { path: '/slow?ms=5000' })
    await eventually('the slow request at a', SETTLE_MS, async () => (a.inFlight === 1 ? true : undefined))
    await balancer.register(loadBalancer.id, b.backend())
    await eventually('b healthy', SETTLE_MS, async () =>
      (await balancer.backends(loadBalancer.id)).get(b.instanceId) === 'healthy' ? true : undefined,
    )
    const startedMs = Date.now()
    assert.equal(await balancer.deregister(loadBalancer.id, a.instanceId), 'draining')
    assert.equal((await slow).status, 502)
    assert.equal(b.hits, 0, 'the cut request reached the application of a, so it was not sent to b')
    assert.equal(await balancer.deregister(loadBalancer.id, a.instanceId), 'gone')
    const tookMs = Date.now() - startedMs
    assert.ok(tookMs >= 400 && tookMs < 3_000, `cut after ${tookMs} ms`)
  } finally {
    await dispose()
    await Promise.all([a.close(), b.close()])
  }
})
