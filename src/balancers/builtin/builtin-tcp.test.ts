/**
 * The built-in TCP listener: bytes both ways, half-closes passed on, refused connections tried
 * on another backend before any byte is read from the client, and connection figures.
 */
import assert from 'node:assert/strict'
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net'
import { test } from 'node:test'
import { eventually, loopbackAddress, testListener, testLoadBalancer } from '../../../test/balancer-conformance.ts'
import type { InstanceId } from '../../core/ids.ts'
import type { Backend, HealthCheck } from '../../core/load-balancer.ts'
import { builtinSubject } from './builtin-test-support.ts'

const SETTLE_MS = 10_000

/** Healthy after one accepted connection; the next check is a minute away. */
const SLOW_TCP_CHECK: HealthCheck = {
  type: 'TCP',
  intervalSeconds: 60,
  timeoutSeconds: 1,
  healthyThreshold: 1,
  unhealthyThreshold: 3,
}

let servers = 0

/**
 * A line-echo backend: prefixes its name to everything it receives, and once the client has
 * finished sending (half-close) it says "bye" and ends its side too.
 */
async function startEchoBackend(): Promise<{ backend: Backend; server: Server }> {
  servers++
  const instanceId = `i-t${process.pid.toString(36)}e${servers}` as InstanceId
  const host = loopbackAddress()
  const server = createServer({ allowHalfOpen: true }, (socket: Socket) => {
    socket.on('data', (chunk: Buffer) => socket.write(`${instanceId}:${chunk.toString('utf8')}`))
    socket.once('end', () => socket.end('bye'))
    socket.on('error', () => socket.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  const { port } = server.address() as AddressInfo
  return { backend: { instanceId, address: host, port, weight: 1 }, server }
}

/** Sends `text`, half-closes, and resolves with everything received until the backend ends. */
function converse(host: string, port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, allowHalfOpen: true })
    let received = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      received += chunk
    })
    socket.once('end', () => {
      socket.end()
      resolve(received)
    })
    socket.once('error', reject)
    socket.once('close', () => resolve(received))
    socket.end(text)
  })
}

test('a TCP listener passes bytes both ways and half-closes through, and counts connections', async () => {
  const { balancer, dispose } = await builtinSubject()
  const echo = await startEchoBackend()
  try {
    const listener = await testListener('TCP')
    const loadBalancer = testLoadBalancer('builtin', [listener], { healthCheck: SLOW_TCP_CHECK })
    await balancer.apply(loadBalancer)
    await balancer.register(loadBalancer.id, echo.backend)
    await eventually('healthy', SETTLE_MS, async () =>
      (await balancer.backends(loadBalancer.id)).get(echo.backend.instanceId) === 'healthy' ? true : undefined,
    )
    for (let i = 0; i < 5; i++) {
      assert.equal(
        await converse(listener.host, listener.port, `hello ${i}`),
        `${echo.backend.instanceId}:hello ${i}bye`,
      )
    }
    const stats = await balancer.stats(loadBalancer.id)
    const [figures] = stats.listeners
    assert.equal(figures?.protocol, 'TCP')
    assert.ok((figures?.requestsPerSecond ?? 0) > 0)
    assert.ok(figures?.latencyP99Ms !== null, 'connect latency measured')
    assert.equal(figures?.errorRatePercent, 0)
    assert.equal(stats.backends[0]?.requestsTotal, 5)
  } finally {
    await dispose()
    echo.server.close()
  }
})

test('a refused backend connection is tried on another backend, without losing a byte', async () => {
  const { balancer, dispose } = await builtinSubject()
  const [a, b] = await Promise.all([startEchoBackend(), startEchoBackend()])
  try {
    const listener = await testListener('TCP')
    const loadBalancer = testLoadBalancer('builtin', [listener], { healthCheck: SLOW_TCP_CHECK })
    await balancer.apply(loadBalancer)
    for (const { backend } of [a, b]) await balancer.register(loadBalancer.id, backend)
    await eventually('both healthy', SETTLE_MS, async () => {
      const health = await balancer.backends(loadBalancer.id)
      return [...health.values()].filter((h) => h === 'healthy').length === 2 ? true : undefined
    })
    await new Promise((resolve) => b.server.close(resolve)) // still judged healthy for a minute
    for (let i = 0; i < 6; i++) {
      assert.equal(
        await converse(listener.host, listener.port, `attempt ${i}`),
        `${a.backend.instanceId}:attempt ${i}bye`,
      )
    }
    a.server.close()
    const outcome = await converse(listener.host, listener.port, 'anyone?').catch(() => '')
    assert.equal(outcome, '', 'no backend left: the connection is cut')
    const [figures] = (await balancer.stats(loadBalancer.id)).listeners
    assert.ok((figures?.errorRatePercent ?? 0) > 0)
  } finally {
    await dispose()
    a.server.close()
  }
})
