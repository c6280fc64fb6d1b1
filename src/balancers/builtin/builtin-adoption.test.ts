/**
 * The proxy outlives its driver: a second driver (a restarted server) controls the proxy the
 * first one started, traffic flows while no driver exists at all, a crashed worker is restarted
 * by its supervisor from state.json, and a proxy killed outright comes back at the next call.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import {
  accepts,
  eventually,
  occupy,
  startTestBackend,
  type TestBackend,
  tally,
  testListener,
  testLoadBalancer,
} from '../../../test/balancer-conformance.ts'
import type { LoadBalancer } from '../../core/load-balancer.ts'
import { type Balancer, BalancerError } from '../../ports/balancer.ts'
import { createBuiltinBalancer } from './builtin-balancer.ts'
import { builtinSubject, killProxiesUnder, proxyPidsUnder, REPOSITORY_DIRECTORY } from './builtin-test-support.ts'
import type { PidRecord } from './state-directory.ts'

const SETTLE_MS = 10_000

async function untilHealthy(balancer: Balancer, loadBalancer: LoadBalancer, backends: readonly TestBackend[]) {
  await eventually('backends healthy', SETTLE_MS, async () => {
    const health = await balancer.backends(loadBalancer.id)
    return backends.every((backend) => health.get(backend.instanceId) === 'healthy') ? true : undefined
  })
}

async function withBackends(count: number, body: (backends: TestBackend[]) => Promise<void>): Promise<void> {
  const backends = await Promise.all(Array.from({ length: count }, () => startTestBackend()))
  try {
    await body(backends)
  } finally {
    await Promise.all(backends.map((backend) => backend.close()))
  }
}

test('a second driver on the same state directory controls the proxy the first one started', async () => {
  const { balancer: first, stateDirectory, dispose } = await builtinSubject()
  try {
    await withBackends(2, async ([a, b]) => {
      assert.ok(a && b)
      const listener = await testListener()
      const loadBalancer = testLoadBalancer('builtin', [listener])
      await first.apply(loadBalancer)
      await first.register(loadBalancer.id, a.backend())
      await first.register(loadBalancer.id, b.backend())
      const second = createBuiltinBalancer({ stateDirectory })
      await untilHealthy(second, loadBalancer, [a, b])
      const pidsBefore = await proxyPidsUnder(stateDirectory)
      await second.apply(loadBalancer)
      assert.deepEqual(await proxyPidsUnder(stateDirectory), pidsBefore, 'adopted, not started again')
      assert.equal(
        await eventually('a gone', SETTLE_MS, async () =>
          (await second.deregister(loadBalancer.id, a.instanceId)) === 'gone' ? 'gone' : undefined,
        ),
        'gone',
      )
      assert.deepEqual([...(await first.backends(loadBalancer.id)).keys()], [b.instanceId])
      assert.deepEqual(await tally(listener, 4), { [b.instanceId]: 4 })
      await second.destroy(loadBalancer.id)
      assert.deepEqual(await proxyPidsUnder(stateDirectory), [])
      await assert.rejects(first.backends(loadBalancer.id), (error: unknown) => {
        assert.ok(error instanceof BalancerError && error.kind === 'NotFound', String(error))
        return true
      })
    })
  } finally {
    await dispose()
  }
})

test('traffic flows with no driver at all, and a crashed worker is restarted by its supervisor', async () => {
  const { stateDirectory, dispose } = await builtinSubject()
  try {
    await withBackends(2, async ([a, b]) => {
      assert.ok(a && b)
      const listener = await testListener()
      const loadBalancer = testLoadBalancer('builtin', [listener])
      // The "old server": another Node process that sets the balancer up and exits.
      const script = `
        import { createBuiltinBalancer } from ${JSON.stringify(join(REPOSITORY_DIRECTORY, 'src/balancers/builtin/builtin-balancer.ts'))}
        const balancer = createBuiltinBalancer({ stateDirectory: ${JSON.stringify(stateDirectory)} })
        await balancer.apply(${JSON.stringify(loadBalancer)})
        await balancer.register(${JSON.stringify(loadBalancer.id)}, ${JSON.stringify(a.backend())})
        await balancer.register(${JSON.stringify(loadBalancer.id)}, ${JSON.stringify(b.backend())})
        for (;;) {
          const health = [...(await balancer.backends(${JSON.stringify(loadBalancer.id)})).values()]
          if (health.length === 2 && health.every((h) => h === 'healthy')) break
          await new Promise((resolve) => setTimeout(resolve, 25))
        }`
      // Asynchronously: the backends live in this process and must answer the proxy's health checks.
      await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: REPOSITORY_DIRECTORY,
        timeout: SETTLE_MS * 2,
      })
      // No driver exists in any process now; the data plane serves on its own.
      assert.deepEqual(await tally(listener, 4), { [a.instanceId]: 2, [b.instanceId]: 2 })

      const pidFile = join(stateDirectory, loadBalancer.id, 'proxy.pid')
      const before = JSON.parse(await readFile(pidFile, 'utf8')) as PidRecord
      process.kill(before.workerPid, 'SIGKILL')
      const after = await eventually('a new worker', SETTLE_MS, async () => {
        const record = JSON.parse(await readFile(pidFile, 'utf8')) as PidRecord
        return record.workerPid !== before.workerPid ? record : undefined
      })
      assert.equal(after.supervisorPid, before.supervisorPid, 'the same supervisor restarted it')
      // The new worker recovered listeners, backends and their health verdicts from state.json.
      assert.deepEqual(await tally(listener, 4), { [a.instanceId]: 2, [b.instanceId]: 2 })

      const adopting = createBuiltinBalancer({ stateDirectory })
      const health = await adopting.backends(loadBalancer.id)
      assert.deepEqual(Object.fromEntries(health), { [a.instanceId]: 'healthy', [b.instanceId]: 'healthy' })
      await adopting.destroy(loadBalancer.id)
      assert.equal(await accepts(listener.host, listener.port), false)
    })
  } finally {
    await dispose()
  }
})

test('a proxy killed outright is started again by the next call, with its listeners and backends', async () => {
  const { balancer, stateDirectory, dispose } = await builtinSubject()
  try {
    await withBackends(1, async ([a]) => {
      assert.ok(a)
      const listener = await testListener()
      const loadBalancer = testLoadBalancer('builtin', [listener])
      await balancer.apply(loadBalancer)
      await balancer.register(loadBalancer.id, a.backend())
      await untilHealthy(balancer, loadBalancer, [a])
      await killProxiesUnder(stateDirectory) // supervisor and worker: nothing restarts it
      assert.equal(await accepts(listener.host, listener.port), false)
      const health = await balancer.backends(loadBalancer.id)
      assert.deepEqual(Object.fromEntries(health), { [a.instanceId]: 'healthy' })
      assert.deepEqual(await tally(listener, 2), { [a.instanceId]: 2 })
    })
  } finally {
    await dispose()
  }
})

test('a re-apply that cannot bind a new listener changes nothing, and the old listeners keep serving', async () => {
  const { balancer, dispose } = await builtinSubject()
  try {
    await withBackends(1, async ([a]) => {
      assert.ok(a)
      const listener = await testListener()
      const taken = await testListener()
      const loadBalancer = testLoadBalancer('builtin', [listener])
      await balancer.apply(loadBalancer)
      await balancer.register(loadBalancer.id, a.backend())
      await untilHealthy(balancer, loadBalancer, [a])
      const squatter = await occupy(taken.host, taken.port)
      try {
        await assert.rejects(
          balancer.apply({ ...loadBalancer, algorithm: 'LeastConnections', listeners: [listener, taken] }),
          (error: unknown) => error instanceof BalancerError && error.kind === 'ListenerPortInUse',
        )
      } finally {
        await new Promise((resolve) => squatter.close(resolve))
      }
      assert.deepEqual(await tally(listener, 2), { [a.instanceId]: 2 })
      assert.equal((await balancer.stats(loadBalancer.id)).listeners.length, 1)
      await balancer.apply({ ...loadBalancer, listeners: [listener, taken] })
      assert.deepEqual(await tally(taken, 2), { [a.instanceId]: 2 })
    })
  } finally {
    await dispose()
  }
})

test('an unreadable state.json is moved aside: the proxy starts empty and takes a new configuration', async () => {
  const { balancer, stateDirectory, dispose } = await builtinSubject()
  try {
    const listener = await testListener()
    const loadBalancer = testLoadBalancer('builtin', [listener])
    await balancer.apply(loadBalancer)
    const directory = join(stateDirectory, loadBalancer.id)
    await writeFile(join(directory, 'state.json'), '{ not json')
    await killProxiesUnder(stateDirectory)
    await balancer.apply(loadBalancer) // starts a proxy, which finds the file unreadable
    assert.equal(await accepts(listener.host, listener.port), true)
    assert.ok((await readdir(directory)).some((name) => name.startsWith('state.json.unreadable-')))
    assert.equal((await balancer.backends(loadBalancer.id)).size, 0)
  } finally {
    await dispose()
  }
})
