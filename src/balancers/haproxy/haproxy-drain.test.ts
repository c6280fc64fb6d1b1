/**
 * Deregistration through a real haproxy: a draining backend finishes what it has and takes nothing
 * new, leaves once idle (or once drainSeconds are over), and a stream of requests sees no failure
 * while one of two backends is drained and removed.
 */
import assert from 'node:assert/strict'
import { Agent } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  answeredBy,
  eventually,
  haproxyBalancer,
  haproxyTest,
  httpGet,
  httpListener,
  registerHealthy,
  startBackend,
  temporaryStateDirectory,
  testLoadBalancer,
} from './haproxy-test-support.ts'

/** Requests in the stream that crosses a drain, and how many are in flight at once. */
const STREAM_REQUESTS = 2_000
const STREAM_CONCURRENCY = 8

haproxyTest('a draining backend finishes its in-flight request, takes no new one, then goes', async () => {
  const balancer = haproxyBalancer(await temporaryStateDirectory())
  const listener = await httpListener()
  const loadBalancer = testLoadBalancer([listener], { drainSeconds: 30 })
  await balancer.apply(loadBalancer)
  const leaving = await startBackend()
  const staying = await startBackend()
  await registerHealthy(balancer, loadBalancer, leaving)
  const slow = httpGet(listener.host, listener.port, '/slow?ms=1500')
  await eventually('the slow request in flight', async () =>
    (await balancer.stats(loadBalancer.id)).backends[0]?.activeConnections === 1 ? true : undefined,
  )
  await registerHealthy(balancer, loadBalancer, staying)
  assert.equal(await balancer.deregister(loadBalancer.id, leaving.instanceId), 'draining')
  for (let i = 0; i < 10; i++) assert.equal(await answeredBy(listener), staying.instanceId)
  assert.equal(await balancer.deregister(loadBalancer.id, leaving.instanceId), 'draining')
  const stats = await balancer.stats(loadBalancer.id)
  assert.equal(stats.backends.find((b) => b.instanceId === leaving.instanceId)?.draining, true)
  const answer = await slow
  assert.equal(answer.status, 200)
  assert.equal(JSON.parse(answer.body).instanceId, leaving.instanceId)
  await eventually('the drained backend gone', async () =>
    (await balancer.deregister(loadBalancer.id, leaving.instanceId)) === 'gone' ? true : undefined,
  )
  assert.deepEqual([...(await balancer.backends(loadBalancer.id)).keys()], [staying.instanceId])
  assert.equal(await balancer.deregister(loadBalancer.id, leaving.instanceId), 'gone') // idempotent
  await balancer.destroy(loadBalancer.id)
})

haproxyTest('a drain ends when drainSeconds are over, even with a request still running', async () => {
  const balancer = haproxyBalancer(await temporaryStateDirectory())
  const listener = await httpListener()
  const loadBalancer = testLoadBalancer([listener], { drainSeconds: 1 })
  await balancer.apply(loadBalancer)
  const backend = await startBackend()
  await registerHealthy(balancer, loadBalancer, backend)
  const slow = httpGet(listener.host, listener.port, '/slow?ms=4000').catch((error: Error) => error)
  await eventually('the slow request in flight', async () =>
    (await balancer.stats(loadBalancer.id)).backends[0]?.activeConnections === 1 ? true : undefined,
  )
  const startedMs = Date.now()
  assert.equal(await balancer.deregister(loadBalancer.id, backend.instanceId), 'draining')
  await eventually('the drain over', async () =>
    (await balancer.deregister(loadBalancer.id, backend.instanceId)) === 'gone' ? true : undefined,
  )
  assert.ok(Date.now() - startedMs >= 1_000, 'not before drainSeconds')
  assert.ok(Date.now() - startedMs < 3_000, 'soon after drainSeconds')
  assert.deepEqual([...(await balancer.backends(loadBalancer.id))], [])
  await slow // cut short: whatever it got, it does not hang
  await balancer.destroy(loadBalancer.id)
})

haproxyTest(`no request fails in a stream of ${STREAM_REQUESTS} while a backend is drained and removed`, async () => {
  const balancer = haproxyBalancer(await temporaryStateDirectory())
  const listener = await httpListener()
  const loadBalancer = testLoadBalancer([listener])
  await balancer.apply(loadBalancer)
  const leaving = await startBackend()
  const staying = await startBackend()
  await registerHealthy(balancer, loadBalancer, leaving)
  await registerHealthy(balancer, loadBalancer, staying)
  const agent = new Agent({ keepAlive: true, maxSockets: STREAM_CONCURRENCY })
  const failures: string[] = []
  const answeredBy = new Map<string, number>()
  let sent = 0
  async function client(): Promise<void> {
    while (sent < STREAM_REQUESTS) {
      sent++
      try {
        const { status, body } = await httpGet(listener.host, listener.port, '/slow?ms=1', agent)
        if (status !== 200) failures.push(`status ${status}`)
        const instanceId = (JSON.parse(body) as { instanceId: string }).instanceId
        answeredBy.set(instanceId, (answeredBy.get(instanceId) ?? 0) + 1)
      } catch (error) {
        failures.push(String(error))
      }
    }
  }
  const clients = Array.from({ length: STREAM_CONCURRENCY }, client)
  await eventually('a quarter of the stream', async () => (sent >= STREAM_REQUESTS / 4 ? true : undefined))
  let progress = await balancer.deregister(loadBalancer.id, leaving.instanceId)
  while (progress === 'draining') {
    await sleep(10)
    progress = await balancer.deregister(loadBalancer.id, leaving.instanceId)
  }
  const servedAtRemoval = leaving.served()
  const sentAtRemoval = sent
  await Promise.all(clients)
  agent.destroy()
  assert.deepEqual(failures, [])
  assert.ok(sentAtRemoval < STREAM_REQUESTS, `the removal happened mid-stream (at ${sentAtRemoval})`)
  assert.equal(leaving.served(), servedAtRemoval, 'no request reached the removed backend')
  assert.ok((answeredBy.get(leaving.instanceId) ?? 0) > 0 && (answeredBy.get(staying.instanceId) ?? 0) > 0)
  await balancer.destroy(loadBalancer.id)
})
