/**
 * Issue 4's proof with real processes: demo-app instances behind the built-in balancer, seed
 * 000's alarm pair (maximum CPU ≥ 80 % → add 2, ≤ 20 % → remove 2, one period, cooldown 0).
 * Load through the balancer (GET /burn, which spins the CPU) raises the group's CPU measured
 * from /proc; the high alarm fires and the group scales out; traffic spreads over more
 * instances so each one's CPU falls; stopping the load lets the low alarm scale the group in.
 *
 * The periods are 5 s instead of the seed's 60 s so the test takes a minute, not ten; the
 * rules, statistic, thresholds and cooldown are the seed's. Subnets 127.73.x belong to this file.
 */
import assert from 'node:assert/strict'
import { Agent, request } from 'node:http'
import { after, test } from 'node:test'
import { freePort } from './support/processes.ts'
import {
  activitiesOf,
  createDemoGroup,
  liveInstances,
  ServerLab,
  waitFor,
  waitForSettled,
} from './support/server-process.ts'

const SETTLE_MS = 90_000
const PERIOD_SECONDS = 5
/** Requests in flight at once: each keeps one instance's CPU busy while it burns. */
const LOAD_CONCURRENCY = 2
const BURN_MS = 100
const LOAD_MS_MAX = 180_000

const lab = new ServerLab()
after(() => lab.dispose())

/** Keeps LOAD_CONCURRENCY /burn requests in flight until stopped (or LOAD_MS_MAX passes). */
function startLoad(port: number): { stop: () => Promise<number> } {
  const agent = new Agent({ keepAlive: true, maxSockets: LOAD_CONCURRENCY })
  let stopping = false
  let answered = 0
  const startedAtMs = Date.now()
  const one = () =>
    new Promise<void>((resolve) => {
      const outgoing = request(
        { host: '127.0.0.1', port, path: `/burn?ms=${BURN_MS}`, agent, timeout: 10_000 },
        (response) => {
          response.resume()
          response.on('end', () => {
            if (response.statusCode === 200) answered += 1
            resolve()
          })
        },
      )
      outgoing.on('timeout', () => outgoing.destroy(new Error('timed out')))
      outgoing.on('error', () => resolve())
      outgoing.end()
    })
  const worker = async () => {
    while (!stopping && Date.now() - startedAtMs < LOAD_MS_MAX) await one()
  }
  const done = Promise.all(Array.from({ length: LOAD_CONCURRENCY }, worker))
  return {
    stop: async () => {
      stopping = true
      await done
      agent.destroy()
      return answered
    },
  }
}

interface ApiAlarm {
  readonly id: string
  readonly state: string
}

test('seed 000: CPU load through the balancer scales the group out, and stopping it scales it in', {
  timeout: 400_000,
}, async () => {
  const dataDir = await lab.dataDir('alarm-scaling')
  const server = await lab.start(dataDir)
  const { api } = server
  const listenerPort = await freePort()
  const loadBalancer = await api.post<{ id: string }>('/v1/load-balancers', {
    name: 'burn',
    driver: 'builtin',
    listeners: [{ protocol: 'HTTP', port: listenerPort }],
    healthCheck: {
      type: 'HTTP',
      path: '/health',
      expectedStatusMin: 200,
      expectedStatusMax: 299,
      intervalSeconds: 1,
      timeoutSeconds: 1,
      healthyThreshold: 1,
      unhealthyThreshold: 2,
    },
    drainSeconds: 2,
  })
  const { groupId } = await createDemoGroup(api, {
    name: 'burn',
    zones: [
      { zoneId: 'zone-a', subnet: '127.73.1.0/24' },
      { zoneId: 'zone-b', subnet: '127.73.2.0/24' },
    ],
    desiredCapacity: 2,
    maxSize: 6,
  })
  await api.post(`/v1/groups/${groupId}/load-balancers`, { loadBalancerId: loadBalancer.id })
  await waitForSettled(api, groupId, 2, SETTLE_MS)
  const rule = (name: string, adjustmentValue: number) =>
    api.post<{ id: string }>('/v1/rules', {
      groupId,
      name,
      adjustmentType: 'QuantityChangeInCapacity',
      adjustmentValue,
      cooldownSeconds: 0,
    })
  const addTwo = await rule('add-two', 2)
  const removeTwo = await rule('remove-two', -2)
  const alarm = (name: string, comparison: string, threshold: number, ruleId: string) =>
    api.post<ApiAlarm>('/v1/alarms', {
      groupId,
      name,
      conditions: [
        { metric: { kind: 'Builtin', name: 'CpuUtilization' }, statistic: 'Maximum', comparison, threshold },
      ],
      periodSeconds: PERIOD_SECONDS,
      evaluationCount: 1,
      actions: [ruleId],
    })
  const high = await alarm('cpu-high', '>=', 80, addTwo.id)
  const low = await alarm('cpu-low', '<=', 20, removeTwo.id)

  const load = startLoad(listenerPort)
  try {
    await waitFor(async () => (await liveInstances(api, groupId)).length >= 4, {
      what: 'a scale-out under CPU load',
      timeoutMs: SETTLE_MS,
    })
    const history = await api.get<{ history: { to: string; values: Record<string, number | null> }[] }>(
      `/v1/alarms/${high.id}/history`,
    )
    const fired = history.history.find((entry) => entry.to === 'ALARM')
    assert.ok(fired, 'the high alarm fired')
    assert.ok((fired.values.m1 ?? 0) >= 80, `it fired on a maximum CPU of ${fired.values.m1}`)
    // Traffic spreads over the new instances: they serve through the balancer.
    await waitFor(
      async () => {
        const view = await api.get<{ stats: { backends: { health: string; requestsTotal: number }[] } | null }>(
          `/v1/load-balancers/${loadBalancer.id}`,
        )
        const serving = view.stats?.backends.filter(
          (backend) => backend.health === 'healthy' && backend.requestsTotal > 0,
        )
        return (serving?.length ?? 0) >= 4
      },
      { what: 'four or more backends serving', timeoutMs: SETTLE_MS },
    )
  } finally {
    const answered = await load.stop()
    assert.ok(answered > 50, `the load was served (${answered} requests)`)
  }
  const peak = (await liveInstances(api, groupId)).length
  await waitFor(async () => (await liveInstances(api, groupId)).length <= Math.max(0, peak - 2), {
    what: 'a scale-in once the load stopped',
    timeoutMs: SETTLE_MS,
  })
  const lowAlarm = await api.get<{ history: { to: string }[] }>(`/v1/alarms/${low.id}/history`)
  assert.ok(
    lowAlarm.history.some((entry) => entry.to === 'ALARM'),
    'the low alarm fired',
  )
  const alarmRuns = (await activitiesOf(api, groupId)).filter((activity) => activity.cause.startsWith('alarm '))
  assert.ok(alarmRuns.some((activity) => activity.status === 'Successful'))
  const why = await api.get<{ decisions: { outcome: string }[] }>(`/v1/groups/${groupId}/decisions?limit=500`)
  assert.ok(why.decisions.some((decision) => decision.outcome === 'Queued'))
  await api.post(`/v1/alarms/${high.id}/disable`, {})
  await api.post(`/v1/alarms/${low.id}/disable`, {})
  await api.post(`/v1/groups/${groupId}/desired-capacity`, { desiredCapacity: 0 })
  await waitForSettled(api, groupId, 0, SETTLE_MS)
})
