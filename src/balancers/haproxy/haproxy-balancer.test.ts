/**
 * The HAProxy driver against a real haproxy on loopback: traffic reaches registered backends with
 * X-Forwarded-For, weights shape it, stats count it, and a listener address in use is refused.
 */
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { BalancerError } from '../../ports/balancer.ts'
import { createHaproxyBalancer } from './haproxy-balancer.ts'
import {
  answeredBy,
  eventually,
  freePort,
  haproxyBalancer,
  haproxyTest,
  httpGet,
  httpListener,
  loopbackAddress,
  registerHealthy,
  startBackend,
  temporaryStateDirectory,
  testLoadBalancer,
} from './haproxy-test-support.ts'

haproxyTest('a registered backend takes traffic once healthy, with X-Forwarded-For', async () => {
  const balancer = haproxyBalancer(await temporaryStateDirectory())
  const listener = await httpListener()
  const loadBalancer = testLoadBalancer([listener])
  await balancer.apply(loadBalancer)
  assert.deepEqual([...(await balancer.backends(loadBalancer.id))], [])
  const backend = await startBackend()
  await registerHealthy(balancer, loadBalancer, backend)
  const { status, body } = await httpGet(listener.host, listener.port)
  assert.equal(status, 200)
  assert.deepEqual(JSON.parse(body), { instanceId: backend.instanceId, forwardedFor: '127.0.0.1' })
  await balancer.register(loadBalancer.id, backend) // idempotent
  assert.deepEqual([...(await balancer.backends(loadBalancer.id))], [[backend.instanceId, 'healthy']])
  await balancer.destroy(loadBalancer.id)
  await balancer.destroy(loadBalancer.id) // idempotent
})

haproxyTest('registering a backend again with another address moves it there', async () => {
  const balancer = haproxyBalancer(await temporaryStateDirectory())
  const listener = await httpListener()
  const loadBalancer = testLoadBalancer([listener])
  await balancer.apply(loadBalancer)
  const first = await startBackend()
  const second = await startBackend()
  await registerHealthy(balancer, loadBalancer, first)
  await balancer.register(loadBalancer.id, { ...first, address: second.address, port: second.port })
  await eventually('requests reaching the new address', async () =>
    (await answeredBy(listener)) === second.instanceId ? true : undefined,
  )
  assert.deepEqual([...(await balancer.backends(loadBalancer.id)).keys()], [first.instanceId])
  await balancer.destroy(loadBalancer.id)
})

haproxyTest('WeightedRoundRobin sends requests in proportion to the weights', async () => {
  const balancer = haproxyBalancer(await temporaryStateDirectory())
  const listener = await httpListener()
  const loadBalancer = testLoadBalancer([listener], { algorithm: 'WeightedRoundRobin' })
  await balancer.apply(loadBalancer)
  const light = await startBackend(1)
  const heavy = await startBackend(3)
  await registerHealthy(balancer, loadBalancer, light)
  await registerHealthy(balancer, loadBalancer, heavy)
  const counts = new Map<string, number>()
  for (let i = 0; i < 200; i++) {
    const instanceId = await answeredBy(listener)
    counts.set(instanceId, (counts.get(instanceId) ?? 0) + 1)
  }
  // Smooth weighted round robin is exact over whole rounds of 4.
  assert.equal(counts.get(light.instanceId), 50)
  assert.equal(counts.get(heavy.instanceId), 150)
  await balancer.destroy(loadBalancer.id)
})

haproxyTest('stats count requests per listener and backend', async () => {
  const balancer = haproxyBalancer(await temporaryStateDirectory())
  const listener = await httpListener()
  const loadBalancer = testLoadBalancer([listener])
  await balancer.apply(loadBalancer)
  const backend = await startBackend()
  await registerHealthy(balancer, loadBalancer, backend)
  for (let i = 0; i < 30; i++) await answeredBy(listener, '/slow?ms=5')
  const stats = await balancer.stats(loadBalancer.id)
  const [listenerStats] = stats.listeners
  assert.equal(listenerStats?.protocol, 'HTTP')
  assert.equal(listenerStats?.port, listener.port)
  assert.ok((listenerStats?.requestsPerSecond ?? 0) > 0, 'requests per second')
  assert.ok((listenerStats?.latencyP50Ms ?? 0) >= 5, `p50 ${listenerStats?.latencyP50Ms} ms`)
  assert.ok((listenerStats?.latencyP99Ms ?? 0) >= (listenerStats?.latencyP50Ms ?? 0), 'p99 ≥ p50')
  assert.equal(listenerStats?.errorRatePercent, 0)
  assert.deepEqual(stats.backends, [
    { instanceId: backend.instanceId, health: 'healthy', activeConnections: 0, requestsTotal: 30, draining: false },
  ])
  await balancer.destroy(loadBalancer.id)
})

haproxyTest('a listener address in use is ListenerPortInUse', async () => {
  const balancer = haproxyBalancer(await temporaryStateDirectory())
  const host = loopbackAddress()
  const port = await freePort(host)
  const holder = createServer()
  await new Promise<void>((resolve) => holder.listen(port, host, resolve))
  try {
    const loadBalancer = testLoadBalancer([{ protocol: 'HTTP', host, port }])
    await assert.rejects(balancer.apply(loadBalancer), (error: unknown) => {
      assert.ok(error instanceof BalancerError)
      assert.equal(error.kind, 'ListenerPortInUse')
      assert.match(error.message, new RegExp(`${host}:${port}`))
      return true
    })
    // Nothing is left of the failed balancer.
    await assert.rejects(balancer.backends(loadBalancer.id), { kind: 'NotFound' })
  } finally {
    holder.close()
  }
})

haproxyTest('a missing haproxy binary is Unavailable, naming the binary', async () => {
  const balancer = createHaproxyBalancer({
    stateDirectory: await temporaryStateDirectory(),
    haproxyPath: '/nonexistent/haproxy',
  })
  await assert.rejects(balancer.apply(testLoadBalancer([await httpListener()])), (error: unknown) => {
    assert.ok(error instanceof BalancerError)
    assert.equal(error.kind, 'Unavailable')
    assert.match(error.message, /\/nonexistent\/haproxy/)
    return true
  })
})
