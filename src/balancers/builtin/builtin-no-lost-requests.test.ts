/**
 * No request lost when a backend goes: under a steady, bounded stream of GETs through the proxy,
 * one of two real backend processes (the demo app) is removed — drained then killed, or killed
 * outright as a crash would — and every client request still succeeds.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { eventually, testListener, testLoadBalancer } from '../../../test/balancer-conformance.ts'
import type { InstanceId } from '../../core/ids.ts'
import type { Balancer } from '../../ports/balancer.ts'
import { builtinSubject, runLoad, startDemoBackend } from './builtin-test-support.ts'

/** Requests in each run: bounded, so the test stops by itself. */
const REQUESTS = 2_000
/** Requests in flight at once from the client. */
const CONCURRENCY = 8
/** The request count at which the fault is injected: well inside the run. */
const FAULT_AT = 400
const SETTLE_MS = 10_000

async function twoBackendsBehind(balancer: Balancer) {
  const [a, b] = await Promise.all([startDemoBackend(), startDemoBackend()])
  const listener = await testListener()
  const loadBalancer = testLoadBalancer('builtin', [listener], { drainSeconds: 10 })
  await balancer.apply(loadBalancer)
  for (const backend of [a, b]) await balancer.register(loadBalancer.id, backend.backend())
  await eventually('both backends healthy', SETTLE_MS, async () => {
    const health = await balancer.backends(loadBalancer.id)
    return health.get(a.instanceId) === 'healthy' && health.get(b.instanceId) === 'healthy' ? true : undefined
  })
  return { a, b, listener, loadBalancer }
}

test('deregistering, draining and killing one of two backends under load fails no request', async () => {
  const { balancer, dispose } = await builtinSubject()
  try {
    const { a, b, listener, loadBalancer } = await twoBackendsBehind(balancer)
    let removal: Promise<void> | null = null
    let killedAt = 0
    let completedSoFar = 0
    const drainThenKill = async (): Promise<void> => {
      await eventually('a drained', SETTLE_MS, async () =>
        (await balancer.deregister(loadBalancer.id, a.instanceId)) === 'gone' ? true : undefined,
      )
      a.kill('SIGKILL')
      killedAt = completedSoFar
    }
    const result = await runLoad(listener, {
      total: REQUESTS,
      concurrency: CONCURRENCY,
      onProgress: (completed) => {
        completedSoFar = completed
        if (completed === FAULT_AT) removal = drainThenKill()
      },
    })
    await removal
    assert.deepEqual(result.failures, [])
    assert.equal(result.completed, REQUESTS)
    assert.ok(killedAt > 0 && killedAt < REQUESTS - CONCURRENCY, `killed after ${killedAt} requests, during the run`)
    assert.ok((result.byBackend[a.instanceId] ?? 0) >= FAULT_AT / 4, JSON.stringify(result.byBackend))
    assert.ok((result.byBackend[b.instanceId] ?? 0) > REQUESTS / 2, JSON.stringify(result.byBackend))
    assert.deepEqual([...(await balancer.backends(loadBalancer.id)).keys()], [b.instanceId])
  } finally {
    await dispose()
  }
})

test('a backend that crashes under load (SIGKILL, no deregistration) fails no GET', async () => {
  const { balancer, dispose } = await builtinSubject()
  try {
    const { a, b, listener, loadBalancer } = await twoBackendsBehind(balancer)
    let killedAt = 0
    const result = await runLoad(listener, {
      total: REQUESTS,
      concurrency: CONCURRENCY,
      onProgress: (completed) => {
        if (completed !== FAULT_AT) return
        a.kill('SIGKILL')
        killedAt = completed
      },
    })
    // Requests in flight at the crash and new ones refused by the dead address went to b instead.
    assert.deepEqual(result.failures, [])
    assert.equal(killedAt, FAULT_AT)
    assert.ok((result.byBackend[b.instanceId] ?? 0) > REQUESTS / 2, JSON.stringify(result.byBackend))
    await eventually('the crashed backend judged unhealthy', SETTLE_MS, async () =>
      (await balancer.backends(loadBalancer.id)).get(a.instanceId as InstanceId) === 'unhealthy' ? true : undefined,
    )
  } finally {
    await dispose()
  }
})
