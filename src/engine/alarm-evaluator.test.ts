/**
 * Dynamic mode in the virtual world: the real engine, metric collector and alarm evaluator over
 * the simulated provider, with CPU set per instance. Seed 000's alarm pair (max CPU ≥ 80 % → +2,
 * ≤ 20 % → −2, cooldown 0), cooldown refusals recorded as Rejected activities, missing data, and
 * the decision log.
 */
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { seededIds } from '../../sim/seeded-ids.ts'
import { createWorld, type World } from '../../sim/world.ts'
import type { ScalingGroupId } from '../core/ids.ts'
import { silentLogger } from '../ports/logger.ts'
import { PromqlError } from '../ports/promql-source.ts'
import { SimProbe } from '../providers/sim/sim-probe.ts'
import type { AlarmInput } from '../service/alarms.ts'
import { AlarmEvaluator } from './alarm-evaluator.ts'

let world: World
let groupId: ScalingGroupId
let plusTwo: string
let minusTwo: string

beforeEach(async () => {
  world = await createWorld({ seed: 4, bootMs: 1_000 })
  groupId = await world.createGroup({
    minSize: 1,
    maxSize: 6,
    desiredCapacity: 2,
    defaultCooldownSeconds: 0,
    // Instances count toward group statistics once InService; the warm-up test sets its own.
    healthCheckGracePeriodSeconds: 0,
  })
  const rule = (name: string, adjustmentValue: number) =>
    world.services.rules.create({
      groupId,
      name,
      adjustmentType: 'QuantityChangeInCapacity',
      adjustmentValue,
      cooldownSeconds: 0,
    })
  plusTwo = (await rule('plus-two', 2)).id
  minusTwo = (await rule('minus-two', -2)).id
  await settle(2)
})
afterEach(async () => {
  await world.close()
})

async function settle(count: number): Promise<void> {
  await world.runUntil(async () => {
    const members = await world.liveMembers(groupId)
    const busy = await world.store.activities.list({ groupId, statuses: ['Queued', 'InProgress'] })
    return busy.length === 0 && members.length === count && members.every((member) => member.state === 'InService')
  })
}

const cpuAlarm = (overrides: Partial<AlarmInput> = {}): AlarmInput => ({
  groupId,
  name: 'cpu-high',
  conditions: [
    {
      id: 'cpu',
      metric: { kind: 'Builtin', name: 'CpuUtilization' },
      statistic: 'Maximum',
      comparison: '>=',
      threshold: 80,
    },
  ],
  periodSeconds: 60,
  evaluationCount: 1,
  actions: [plusTwo],
  ...overrides,
})

const alarmActivities = async () =>
  (await world.store.activities.list({ groupId })).filter(
    (activity) => 'origin' in activity.request && activity.request.origin === 'Alarm',
  )

async function runSeconds(seconds: number): Promise<void> {
  for (let second = 0; second < seconds; second += 1) await world.step()
}

describe('seed 000: the alarm pair scales out on high CPU and back in on low', () => {
  test('max CPU ≥ 80 % for one minute → ALARM → +2; ≤ 20 % → −2', async () => {
    const high = await world.services.alarms.create(cpuAlarm())
    const low = await world.services.alarms.create(
      cpuAlarm({
        name: 'cpu-low',
        conditions: [
          {
            id: 'cpu',
            metric: { kind: 'Builtin', name: 'CpuUtilization' },
            statistic: 'Maximum',
            comparison: '<=',
            threshold: 20,
          },
        ],
        actions: [minusTwo],
      }),
    )
    const [first] = await world.liveMembers(groupId)
    world.metrics.setDefaultCpu(50)
    world.metrics.setCpu(first?.id as never, 95)
    await world.runUntil(async () => (await world.services.alarms.get(high.id)).state === 'ALARM', { ticksMax: 130 })
    const history = await world.services.alarms.history(high.id, {})
    assert.equal(history[0]?.to, 'ALARM')
    assert.equal(history[0]?.values.cpu, 95)
    assert.equal((await world.liveMembers(groupId)).length, 4)
    // The load now spreads over four instances: CPU falls inside both thresholds, nothing more scales.
    world.metrics.setCpu(first?.id as never, 50)
    await settle(4)
    await runSeconds(130)
    assert.equal((await world.liveMembers(groupId)).length, 4)
    assert.equal((await world.services.alarms.get(high.id)).state, 'OK')
    assert.ok((await alarmActivities()).some((activity) => activity.status === 'Successful'))

    world.metrics.setCpu(first?.id as never, 5)
    world.metrics.setDefaultCpu(5)
    await runSeconds(125)
    assert.equal((await world.services.alarms.get(low.id)).state, 'ALARM')
    await world.runUntil(async () => (await world.liveMembers(groupId)).length <= 2)
  })
})

describe('cooldown and bounds', () => {
  test('while in ALARM each evaluation runs the rule again; a run refused by cooldown is a Rejected activity', async () => {
    await world.services.rules.modify(plusTwo, { cooldownSeconds: 600 })
    await world.services.alarms.create(cpuAlarm({ periodSeconds: 1 }))
    world.metrics.setDefaultCpu(99)
    await runSeconds(30)
    const activities = await alarmActivities()
    const successful = activities.filter((activity) => activity.status === 'Successful')
    const rejected = activities.filter((activity) => activity.status === 'Rejected')
    assert.equal(successful.length, 1)
    assert.ok(rejected.length > 0)
    assert.match(rejected[0]?.statusMessage ?? rejected[0]?.description ?? '', /cooldown/)
    const decisions = await world.services.alarms.decisions(groupId, { limit: 500 })
    assert.ok(decisions.some((decision) => decision.outcome === 'Cooldown' && /cooldown until/.test(decision.reason)))
    assert.ok(decisions.some((decision) => decision.outcome === 'Busy'))
  })

  test('at max size the decision says so and the run is Rejected', async () => {
    await world.services.alarms.create(cpuAlarm({ periodSeconds: 1 }))
    world.metrics.setDefaultCpu(99)
    await runSeconds(40)
    assert.equal((await world.liveMembers(groupId)).length, 6)
    const decisions = await world.services.alarms.decisions(groupId, { limit: 500 })
    assert.ok(decisions.some((decision) => decision.outcome === 'AtMaxSize'))
  })
})

describe('no data never scales', () => {
  test('without CPU samples the alarm is INSUFFICIENT_DATA and nothing runs', async () => {
    const alarm = await world.services.alarms.create(cpuAlarm({ periodSeconds: 1 }))
    await runSeconds(10)
    const current = await world.services.alarms.get(alarm.id)
    assert.equal(current.state, 'INSUFFICIENT_DATA')
    assert.match(current.stateReason, /no data/)
    assert.equal((await alarmActivities()).length, 0)
    assert.equal((await world.liveMembers(groupId)).length, 2)
    const [decision] = await world.services.alarms.decisions(groupId, {})
    assert.equal(decision?.outcome, 'NoData')
  })

  test('a PromQL condition without a Prometheus goes to INSUFFICIENT_DATA with the reason', async () => {
    const alarm = await world.services.alarms.create(
      cpuAlarm({
        periodSeconds: 1,
        conditions: [
          {
            id: 'q',
            metric: { kind: 'PromQL', query: 'sum(rate(x[1m]))' },
            statistic: 'Average',
            comparison: '>',
            threshold: 1,
          },
        ],
      }),
    )
    await runSeconds(3)
    const current = await world.services.alarms.get(alarm.id)
    assert.equal(current.state, 'INSUFFICIENT_DATA')
    assert.match(current.stateReason, /no Prometheus/)
  })

  test('instances inside their warm-up (the group’s grace period) do not count: no data, nothing scales', async () => {
    await world.services.groups.modify(groupId, { healthCheckGracePeriodSeconds: 600 })
    const alarm = await world.services.alarms.create(cpuAlarm({ periodSeconds: 1 }))
    world.metrics.setDefaultCpu(99)
    await runSeconds(10)
    assert.equal((await world.services.alarms.get(alarm.id)).state, 'INSUFFICIENT_DATA')
    assert.equal((await alarmActivities()).length, 0)
    const { datapoints } = await world.services.metrics.get({
      name: 'CpuUtilization',
      groupId,
      instanceId: (await world.liveMembers(groupId))[0]?.id as never,
      statistic: 'Maximum',
      periodSeconds: 5,
      fromMs: world.clock.nowMs() - 5_000,
      toMs: world.clock.nowMs(),
    })
    assert.equal(datapoints.at(-1)?.value, 99, 'per instance, warming instances still show their points')
  })

  test('PromQL that does not parse, or a Prometheus that is down: INSUFFICIENT_DATA with the reason; a good query fires', async () => {
    const answers: Record<string, () => Promise<number | null>> = {
      'sum(up': () =>
        Promise.reject(new PromqlError('PromQL bad_data: parse error: unclosed left parenthesis', 'bad_query')),
      'sum(down)': () =>
        Promise.reject(new PromqlError('Prometheus at http://127.0.0.1:9 did not answer', 'unavailable')),
      'sum(queue)': () => Promise.resolve(500),
    }
    const evaluator = new AlarmEvaluator({
      clock: world.clock,
      store: world.store,
      provider: world.provider,
      probe: new SimProbe(world.provider),
      balancers: {},
      allowlists: {},
      ids: seededIds(77),
      log: silentLogger,
      prometheus: { query: (expression) => (answers[expression] ?? (() => Promise.resolve(null)))() },
    })
    const promql = (name: string, query: string) =>
      world.services.alarms.create(
        cpuAlarm({
          name,
          periodSeconds: 1,
          conditions: [
            { id: 'q', metric: { kind: 'PromQL', query }, statistic: 'Average', comparison: '>', threshold: 100 },
          ],
        }),
      )
    const bad = await promql('bad', 'sum(up')
    const down = await promql('down', 'sum(down)')
    const good = await promql('good', 'sum(queue)')
    world.clock.advance(1_000)
    await evaluator.step()
    assert.match((await world.services.alarms.get(bad.id)).stateReason, /parse error/)
    assert.match((await world.services.alarms.get(down.id)).stateReason, /did not answer/)
    assert.equal((await world.services.alarms.get(bad.id)).state, 'INSUFFICIENT_DATA')
    assert.equal((await world.services.alarms.get(good.id)).state, 'ALARM')
    const runs = await alarmActivities()
    assert.ok(runs.every((activity) => 'alarmId' in activity.request && activity.request.alarmId === good.id))
    assert.equal(runs.length, 1)
  })

  test('a disabled alarm does not evaluate', async () => {
    const alarm = await world.services.alarms.create(cpuAlarm({ periodSeconds: 1, enabled: false }))
    world.metrics.setDefaultCpu(99)
    await runSeconds(5)
    assert.equal((await world.services.alarms.get(alarm.id)).lastPeriodEndMs, null)
    assert.equal((await alarmActivities()).length, 0)
  })
})

describe('bad input', () => {
  test('unknown metric, fractional period, bad expression, a rule of another group', async () => {
    await assert.rejects(
      world.services.alarms.create(
        cpuAlarm({
          conditions: [
            { metric: { kind: 'Builtin', name: 'Cpu' }, statistic: 'Average', comparison: '>', threshold: 1 },
          ],
        }),
      ),
      /unknown metric/,
    )
    await assert.rejects(world.services.alarms.create(cpuAlarm({ periodSeconds: 1.5 })), /periodSeconds/)
    await assert.rejects(world.services.alarms.create(cpuAlarm({ periodSeconds: 3_601 })), /periodSeconds/)
    await assert.rejects(world.services.alarms.create(cpuAlarm({ expression: 'cpu &&' })), /does not parse/)
    await assert.rejects(world.services.alarms.create(cpuAlarm({ expression: 'cpu || mem' })), /not a condition/)
    const other = await world.createGroup({ minSize: 0, maxSize: 2 })
    const foreign = await world.services.rules.create({
      groupId: other,
      name: 'foreign',
      adjustmentType: 'QuantityChangeInCapacity',
      adjustmentValue: 1,
    })
    await assert.rejects(world.services.alarms.create(cpuAlarm({ actions: [foreign.ari] })), /belongs to group/)
  })
})

test('custom metrics pushed by an application drive an alarm', async () => {
  await world.services.alarms.create(
    cpuAlarm({
      periodSeconds: 5,
      conditions: [
        {
          id: 'queue',
          metric: { kind: 'Custom', namespace: 'shop', name: 'QueueLength', dimensions: { queue: 'orders' } },
          statistic: 'Average',
          comparison: '>',
          threshold: 100,
        },
      ],
    }),
  )
  for (let second = 0; second < 12; second += 1) {
    await world.services.metrics.put([
      { namespace: 'shop', name: 'QueueLength', dimensions: { queue: 'orders' }, value: 500 },
    ])
    await world.step()
  }
  assert.ok((await alarmActivities()).length > 0)
  const { datapoints } = await world.services.metrics.get({
    namespace: 'shop',
    name: 'QueueLength',
    dimensions: { queue: 'orders' },
    statistic: 'Average',
    periodSeconds: 5,
    fromMs: world.clock.nowMs() - 10_000,
    toMs: world.clock.nowMs(),
  })
  assert.ok(datapoints.length >= 2)
  assert.ok(datapoints.every((point) => point.value === 500))
})
