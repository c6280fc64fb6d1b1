/**
 * Step and target-tracking rules run by alarms in the virtual world: a step rule adds by how far
 * CPU is past the threshold; a target-tracking rule owns its alarms and sizes the group by the
 * HPA formula, scale-in can be switched off, and its alarms go with it.
 */
import assert from 'node:assert/strict'
import { afterEach, beforeEach, test } from 'node:test'
import { createWorld, type World } from '../../sim/world.ts'
import type { ScalingGroupId } from '../core/ids.ts'

let world: World
let groupId: ScalingGroupId

beforeEach(async () => {
  world = await createWorld({ seed: 9, bootMs: 1_000 })
  groupId = await world.createGroup({
    minSize: 1,
    maxSize: 20,
    desiredCapacity: 2,
    defaultCooldownSeconds: 0,
    healthCheckGracePeriodSeconds: 0,
  })
  await world.runUntil(async () => (await world.liveMembers(groupId)).every((member) => member.state === 'InService'))
})
afterEach(async () => {
  await world.close()
})

async function runSeconds(seconds: number): Promise<void> {
  for (let second = 0; second < seconds; second += 1) await world.step()
}

test('a step rule adds by the distance past the threshold', async () => {
  const rule = await world.services.rules.create({
    groupId,
    name: 'steps',
    ruleType: 'Step',
    adjustmentType: 'QuantityChangeInCapacity',
    adjustmentValue: 0,
    cooldownSeconds: 3_600,
    stepAdjustments: [
      { lowerBound: 0, upperBound: 10, adjustmentValue: 1 },
      { lowerBound: 10, upperBound: 30, adjustmentValue: 3 },
      { lowerBound: 30, upperBound: null, adjustmentValue: 5 },
    ],
  })
  await world.services.alarms.create({
    groupId,
    name: 'cpu',
    conditions: [
      { metric: { kind: 'Builtin', name: 'CpuUtilization' }, statistic: 'Average', comparison: '>=', threshold: 60 },
    ],
    periodSeconds: 1,
    actions: [rule.id],
  })
  world.metrics.setDefaultCpu(75) // 15 past the threshold: the second step, +3
  await runSeconds(3)
  const [run] = (await world.store.activities.list({ groupId, newestFirst: true })).filter(
    (activity) => 'origin' in activity.request && activity.request.origin === 'Alarm',
  )
  assert.ok(run)
  assert.equal(run.plan?.capacityAfter, 5)
  assert.match(run.description, /distance 15: 3/)
  await assert.rejects(
    world.services.rules.create({
      groupId,
      name: 'overlap',
      ruleType: 'Step',
      adjustmentType: 'QuantityChangeInCapacity',
      adjustmentValue: 0,
      stepAdjustments: [
        { lowerBound: 0, upperBound: 10, adjustmentValue: 1 },
        { lowerBound: 5, upperBound: null, adjustmentValue: 2 },
      ],
    }),
    /overlap/,
  )
})

test('target tracking owns its alarms and sizes the group by current × metric / target', async () => {
  const rule = await world.services.rules.create({
    groupId,
    name: 'cpu-50',
    ruleType: 'TargetTracking',
    adjustmentType: 'TotalCapacity',
    adjustmentValue: 0,
    cooldownSeconds: 0,
    targetTracking: {
      metric: { kind: 'Builtin', name: 'CpuUtilization' },
      targetValue: 50,
      disableScaleIn: false,
      instanceWarmupSeconds: 30,
    },
  })
  const owned = (await world.services.alarms.list({ groupId })).filter((alarm) => alarm.ownerRuleId === rule.id)
  assert.deepEqual(
    owned.map((alarm) => [alarm.conditions[0]?.comparison, alarm.conditions[0]?.threshold, alarm.evaluationCount]),
    [
      ['>', 55.00000000000001, 3],
      ['<', 45, 15],
    ],
  )
  // 2 instances at 90 % with a 50 % target: ceil(2 × 90 / 50) = 4, after three one-minute periods.
  world.metrics.setDefaultCpu(90)
  await world.runUntil(async () => (await world.liveMembers(groupId)).length === 4, { ticksMax: 300 })
  // 4 instances at 10 %: ceil(4 × 10 / 50) = 1, after fifteen periods and the warm-up.
  world.metrics.setDefaultCpu(10)
  await world.runUntil(async () => (await world.liveMembers(groupId)).length === 1, { ticksMax: 1_500 })

  await world.services.rules.modify(rule.id, {
    targetTracking: {
      metric: { kind: 'Builtin', name: 'CpuUtilization' },
      targetValue: 50,
      disableScaleIn: true,
      instanceWarmupSeconds: 0,
    },
  })
  const afterModify = (await world.services.alarms.list({ groupId })).filter((alarm) => alarm.ownerRuleId === rule.id)
  assert.equal(afterModify.length, 1, 'with scale-in disabled only the high alarm remains')
  await world.services.rules.remove(rule.id)
  assert.equal((await world.services.alarms.list({ groupId })).length, 0, 'the owned alarms go with the rule')
})
