/**
 * What outlives a driver object, and what a reload keeps: a second driver on the same state
 * directory adopts the running haproxy (no restart); a drain's start time survives the driver;
 * a listener change reloads haproxy without dropping a backend or a request; a crashed haproxy
 * comes back with its backends.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { Agent } from 'node:http'
import { createServer } from 'node:net'
import { join } from 'node:path'
import type { Listener } from '../../core/load-balancer.ts'
import { BalancerError } from '../../ports/balancer.ts'
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

const servingPid = async (stateDirectory: string, loadBalancerId: string): Promise<number> =>
  Number(await readFile(join(stateDirectory, loadBalancerId, 'haproxy.pid'), 'utf8'))

haproxyTest('a second driver adopts the running haproxy and its backends', async () => {
  const stateDirectory = await temporaryStateDirectory()
  const first = haproxyBalancer(stateDirectory)
  const listener = await httpListener()
  const loadBalancer = testLoadBalancer([listener])
  await first.apply(loadBalancer)
  const old = await startBackend()
  await registerHealthy(first, loadBalancer, old)
  const pid = await servingPid(stateDirectory, loadBalancer.id)

  const second = haproxyBalancer(stateDirectory)
  assert.deepEqual([...(await second.backends(loadBalancer.id))], [[old.instanceId, 'healthy']])
  await second.apply(loadBalancer)
  assert.equal(await servingPid(stateDirectory, loadBalancer.id), pid, 'adopted, not restarted')
  const fresh = await startBackend()
  await registerHealthy(second, loadBalancer, fresh)
  await eventually('the old backend gone', async () =>
    (await second.deregister(loadBalancer.id, old.instanceId)) === 'gone' ? true : undefined,
  )
  assert.equal(await answeredBy(listener), fresh.instanceId)
  assert.equal(await servingPid(stateDirectory, loadBalancer.id), pid)
  await second.destroy(loadBalancer.id)
})

haproxyTest("a drain's start time survives a new driver", async () => {
  const stateDirectory = await temporaryStateDirectory()
  const first = haproxyBalancer(stateDirectory)
  const listener = await httpListener()
  const loadBalancer = testLoadBalancer([listener], { drainSeconds: 1 })
  await first.apply(loadBalancer)
  const backend = await startBackend()
  await registerHealthy(first, loadBalancer, backend)
  const slow = httpGet(listener.host, listener.port, '/slow?ms=3000').catch((error: Error) => error)
  await eventually('the slow request in flight', async () =>
    (await first.stats(loadBalancer.id)).backends[0]?.activeConnections === 1 ? true : undefined,
  )
  const startedMs = Date.now()
  assert.equal(await first.deregister(loadBalancer.id, backend.instanceId), 'draining')
  const second = haproxyBalancer(stateDirectory)
  await eventually('the drain over', async () =>
    (await second.deregister(loadBalancer.id, backend.instanceId)) === 'gone' ? true : undefined,
  )
  const tookMs = Date.now() - startedMs
  assert.ok(tookMs >= 1_000 && tookMs < 2_500, `gone after ${tookMs} ms, drainSeconds after the first call`)
  await slow
  await second.destroy(loadBalancer.id)
})

haproxyTest('a listener change reloads haproxy and keeps its backends and requests', async () => {
  const stateDirectory = await temporaryStateDirectory()
  const balancer = haproxyBalancer(stateDirectory)
  const listener = await httpListener()
  const loadBalancer = testLoadBalancer([listener])
  await balancer.apply(loadBalancer)
  const backends = [await startBackend(), await startBackend()]
  for (const backend of backends) await registerHealthy(balancer, loadBalancer, backend)
  const pid = await servingPid(stateDirectory, loadBalancer.id)
  const slow = httpGet(listener.host, listener.port, '/slow?ms=1000')
  const agent = new Agent({ keepAlive: true, maxSockets: 4 })
  let stop = false
  const failures: string[] = []
  const stream = (async () => {
    while (!stop) {
      await httpGet(listener.host, listener.port, '/', agent).then(
        ({ status }) => status !== 200 && failures.push(`status ${status}`),
        (error: Error) => failures.push(error.message),
      )
    }
  })()

  const tcpHost = loopbackAddress()
  const tcp: Listener = { protocol: 'TCP', host: tcpHost, port: await freePort(tcpHost) }
  const changed = { ...loadBalancer, listeners: [listener, tcp] }
  await balancer.apply(changed)
  assert.notEqual(await servingPid(stateDirectory, loadBalancer.id), pid, 'reloaded')
  const healths = await balancer.backends(loadBalancer.id)
  assert.deepEqual(
    backends.map((b) => healths.get(b.instanceId)),
    ['healthy', 'healthy'],
    'health carried over',
  )
  stop = true
  await stream
  agent.destroy()
  assert.deepEqual(failures, [])
  assert.equal((await slow).status, 200, 'the request in flight during the reload finished')
  const answered = new Set([await answeredBy(tcp), await answeredBy(tcp), await answeredBy(listener)])
  assert.ok(answered.size >= 2, 'both backends behind the new TCP listener')
  // A TCP session is logged when it closes: its figures follow a moment after the answer.
  const stats = await eventually('the TCP sessions counted', async () => {
    const found = await balancer.stats(loadBalancer.id)
    return (found.listeners[1]?.latencyP50Ms ?? null) !== null ? found : undefined
  })
  assert.ok((stats.listeners[1]?.requestsPerSecond ?? 0) > 0)
  assert.deepEqual(
    stats.listeners.map((l) => [l.protocol, l.port]),
    [
      ['HTTP', listener.port],
      ['TCP', tcp.port],
    ],
  )
  await balancer.destroy(loadBalancer.id)
})

haproxyTest('a listener change to an address in use is refused and the old listeners keep serving', async () => {
  const stateDirectory = await temporaryStateDirectory()
  const balancer = haproxyBalancer(stateDirectory)
  const listener = await httpListener()
  const loadBalancer = testLoadBalancer([listener])
  await balancer.apply(loadBalancer)
  const backend = await startBackend()
  await registerHealthy(balancer, loadBalancer, backend)
  const pid = await servingPid(stateDirectory, loadBalancer.id)
  const taken = await httpListener()
  const holder = createServer()
  await new Promise<void>((resolve) => holder.listen(taken.port, taken.host, resolve))
  try {
    await assert.rejects(balancer.apply({ ...loadBalancer, listeners: [listener, taken] }), (error: unknown) => {
      assert.ok(error instanceof BalancerError)
      assert.equal(error.kind, 'ListenerPortInUse')
      return true
    })
  } finally {
    holder.close()
  }
  assert.equal(await servingPid(stateDirectory, loadBalancer.id), pid)
  assert.equal(await answeredBy(listener), backend.instanceId)
  await balancer.apply(loadBalancer) // the same as running: nothing to do
  assert.equal(await servingPid(stateDirectory, loadBalancer.id), pid)
  await balancer.destroy(loadBalancer.id)
})

haproxyTest('a haproxy that died is started again with its backends', async () => {
  const stateDirectory = await temporaryStateDirectory()
  const balancer = haproxyBalancer(stateDirectory)
  const listener = await httpListener()
  const loadBalancer = testLoadBalancer([listener])
  await balancer.apply(loadBalancer)
  const backend = await startBackend()
  await registerHealthy(balancer, loadBalancer, backend)
  const pid = await servingPid(stateDirectory, loadBalancer.id)
  process.kill(pid, 'SIGKILL')
  await eventually('haproxy gone', async () => {
    try {
      process.kill(pid, 0)
      return (await readFile(`/proc/${pid}/stat`, 'utf8')).includes(') Z ') ? true : undefined
    } catch {
      return true
    }
  })
  await eventually('the backend healthy again', async () =>
    (await balancer.backends(loadBalancer.id)).get(backend.instanceId) === 'healthy' ? true : undefined,
  )
  assert.notEqual(await servingPid(stateDirectory, loadBalancer.id), pid)
  assert.equal(await answeredBy(listener), backend.instanceId)
  await balancer.destroy(loadBalancer.id)
})

haproxyTest(
  'a backend draining across a reload stays out of rotation, and registering it again brings it back',
  async () => {
    const balancer = haproxyBalancer(await temporaryStateDirectory())
    const listener = await httpListener()
    const loadBalancer = testLoadBalancer([listener])
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
    await balancer.apply({ ...loadBalancer, listeners: [listener, await httpListener()] })
    // The request in flight is the retiring process's now; the drain waits for it there.
    assert.equal(await balancer.deregister(loadBalancer.id, leaving.instanceId), 'draining')
    const stats = await balancer.stats(loadBalancer.id)
    assert.equal(stats.backends.find((b) => b.instanceId === leaving.instanceId)?.draining, true)
    for (let i = 0; i < 6; i++) assert.equal(await answeredBy(listener), staying.instanceId)
    assert.equal((await slow).status, 200)
    await registerHealthy(balancer, loadBalancer, leaving)
    const answered = new Set([await answeredBy(listener), await answeredBy(listener)])
    assert.deepEqual([...answered].sort(), [leaving.instanceId, staying.instanceId].sort())
    await balancer.destroy(loadBalancer.id)
  },
)
