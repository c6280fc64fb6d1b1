/**
 * Seed 000's food-ordering mini-program, seven simulated days on the virtual clock with the
 * simulated provider: the session-server group (min 0, initial 0) with its two existing servers
 * attached and protected, the scheduled tasks "daily 11:00–13:00 add 2 instances" and "daily
 * 15:00–17:00 remove 2 instances" in Shanghai time, and the alarm policies' rules (add 2 / remove
 * 2, cooldown 0).
 *
 * The seed's ranges are read as launch time plus launch expiration (a run refused at 11:00 may
 * still happen until 13:00), which gives the timeline the seed describes: 2 instances, 4 from
 * 11:00, 2 again from 15:00 (docs/scheduled-tasks.md, "Seed 000"). The seed's CPU alarms are
 * present, evaluate every tick against a steady 50 % CPU, and must stay quiet.
 *
 * The engine ticks when something can happen (every 15 minutes, at each occurrence, and every
 * second while an activity runs); the timeline is checked for every minute of the week from the
 * state the last tick left.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { InstanceId, LaunchConfigurationId, ScalingGroupId } from '../../src/core/ids.ts'
import { occurrencesBetween } from '../../src/core/schedule/occurrences.ts'
import { createWorld, WORLD_START_MS, type World } from '../world.ts'

const SECOND_MS = 1000
const MINUTE_MS = 60 * SECOND_MS
const HOUR_MS = 60 * MINUTE_MS
const DAY_MS = 24 * HOUR_MS
const DAYS = 7
/** The idle engine still ticks this often, so a spurious change would show within the quarter. */
const IDLE_TICK_MS = 15 * MINUTE_MS
const TIME_ZONE = 'Asia/Shanghai'

interface Snapshot {
  readonly atMs: number
  readonly desiredCapacity: number | null
  readonly live: number
  readonly inService: number
  readonly protectedLive: number
}

/** Shanghai keeps UTC+8 all year (src/core/schedule/occurrences.test.ts checks it): local hours are plain arithmetic here. */
const SHANGHAI_OFFSET_MS = 8 * HOUR_MS

/** The capacity the seed asks for at `atMs`: 4 from 11:00 to 15:00 Shanghai time, 2 otherwise. */
function expectedCapacity(atMs: number): number {
  const hour = Math.floor(((atMs + SHANGHAI_OFFSET_MS) % DAY_MS) / HOUR_MS)
  return hour >= 11 && hour < 15 ? 4 : 2
}

async function sessionServerGroup(world: World): Promise<{ groupId: ScalingGroupId; existing: InstanceId[] }> {
  const groupId = await world.createGroup({
    name: 'session server cluster',
    minSize: 0,
    maxSize: 10,
    desiredCapacity: 0,
  })
  const launchConfigurationId = (await world.services.launchConfigurations.list())[0]?.id as LaunchConfigurationId
  const existing: InstanceId[] = []
  for (let index = 0; index < 2; index += 1)
    existing.push((await world.services.instances.run({ launchConfigurationId })).id)
  await world.runUntil(async () => {
    const states = await Promise.all(existing.map((id) => world.store.instances.get(id)))
    return states.every((instance) => instance?.state === 'InService')
  })
  await world.services.capacity.attachInstances(groupId, existing)
  await world.runUntil(async () => (await world.liveMembers(groupId)).length === 2)
  await world.services.groups.setProtection(groupId, existing, true)
  return { groupId, existing }
}

async function policies(world: World, groupId: ScalingGroupId) {
  const rule = (name: string, adjustmentValue: number, cooldownSeconds: number | null) =>
    world.services.rules.create({
      groupId,
      name,
      adjustmentType: 'QuantityChangeInCapacity',
      adjustmentValue,
      cooldownSeconds,
    })
  const scaleOut = await rule('lunch scale-out', 2, null)
  const scaleIn = await rule('lunch scale-in', -2, null)
  const alarmRules = [await rule('cpu high add 2', 2, 0), await rule('cpu low remove 2', -2, 0)]
  const task = (name: string, launchTime: string, ruleId: string) =>
    world.services.scheduledTasks.create({
      groupId,
      name,
      timeZone: TIME_ZONE,
      launchTime,
      recurrence: { type: 'Daily', intervalDays: 1 },
      launchExpirationSeconds: 2 * 3600,
      action: { kind: 'ExecuteRule', ruleId },
    })
  const tasks = [
    await task('lunch peak', '2026-01-01T11:00', scaleOut.id),
    await task('after lunch', '2026-01-01T15:00', scaleIn.id),
  ]
  // Seed 000's alarm policies: 1-minute maximum CPU of the group ≥ 80 % once → add 2; ≤ 20 % → remove 2.
  const alarm = (name: string, comparison: '>=' | '<=', threshold: number, ruleId: string) =>
    world.services.alarms.create({
      groupId,
      name,
      conditions: [
        { metric: { kind: 'Builtin', name: 'CpuUtilization' }, statistic: 'Maximum', comparison, threshold },
      ],
      periodSeconds: 60,
      evaluationCount: 1,
      actions: [ruleId],
    })
  const [high, low] = alarmRules
  assert.ok(high && low)
  const alarms = [await alarm('cpu high', '>=', 80, high.id), await alarm('cpu low', '<=', 20, low.id)]
  return { tasks, alarms, alarmRuleIds: alarmRules.map((alarmRule) => alarmRule.id as string) }
}

test('seed 000 lunch peak: 2 instances, 4 from 11:00, 2 from 15:00, every minute of seven days', async () => {
  const world = await createWorld({ seed: 0 })
  const { groupId, existing } = await sessionServerGroup(world)
  // The servers run at a steady 50 % CPU all week: between both thresholds, so the alarms evaluate and stay quiet.
  world.metrics.setDefaultCpu(50)
  const { tasks, alarms, alarmRuleIds } = await policies(world, groupId)

  const snapshot = async (): Promise<Snapshot> => {
    const group = await world.services.groups.get(groupId)
    const members = await world.liveMembers(groupId)
    return {
      atMs: world.clock.nowMs(),
      desiredCapacity: group.desiredCapacity,
      live: members.length,
      inService: members.filter((member) => member.state === 'InService').length,
      protectedLive: members.filter((member) => existing.includes(member.id) && member.protected).length,
    }
  }
  const endMs = WORLD_START_MS + DAYS * DAY_MS
  const occurrences = tasks
    .flatMap((task) => occurrencesBetween(task, world.clock.nowMs(), endMs, 2 * DAYS))
    .sort((a, b) => a - b)
  /** When the engine next has something to do: at once while busy, at the next occurrence, or at the next quarter. */
  const nextTickMs = async (): Promise<number> => {
    const nowMs = world.clock.nowMs()
    const busy = await world.store.activities.list({ groupId, statuses: ['Queued', 'InProgress'] })
    if (busy.length > 0) return nowMs + SECOND_MS
    const nextOccurrenceMs = occurrences.find((atMs) => atMs > nowMs) ?? Number.POSITIVE_INFINITY
    return Math.min(nextOccurrenceMs, (Math.floor(nowMs / IDLE_TICK_MS) + 1) * IDLE_TICK_MS)
  }

  const firstMinuteMs = Math.ceil(world.clock.nowMs() / MINUTE_MS) * MINUTE_MS
  let state = await snapshot()
  let tickAtMs = await nextTickMs()
  let minutesChecked = 0
  for (let minuteMs = firstMinuteMs; minuteMs < endMs; minuteMs += MINUTE_MS) {
    while (tickAtMs <= minuteMs) {
      await world.stepBy(tickAtMs - world.clock.nowMs())
      state = await snapshot()
      tickAtMs = await nextTickMs()
    }
    const expected = expectedCapacity(minuteMs)
    const when = `${new Date(minuteMs).toISOString()} (state of ${new Date(state.atMs).toISOString()})`
    assert.equal(state.desiredCapacity, expected, `desired capacity at ${when}`)
    assert.equal(state.live, expected, `instances at ${when}`)
    // New instances boot for 3 s: in the minute a scale-out starts they are Pending, from the next one InService.
    const booting = expected > expectedCapacity(minuteMs - MINUTE_MS) ? expected - 2 : 0
    assert.equal(state.inService, expected - booting, `InService instances at ${when}`)
    assert.equal(state.protectedLive, 2, `the protected existing servers stay, at ${when}`)
    minutesChecked += 1
  }
  assert.ok(minutesChecked >= DAYS * 24 * 60 - 1, `checked ${minutesChecked} minutes`)

  for (const task of tasks) {
    const runs = await world.services.scheduledTasks.history(task.id, { limit: 100 })
    assert.deepEqual(
      runs.map((run) => run.status),
      Array(DAYS).fill('Successful'),
      `${task.name}: one successful run per day`,
    )
  }
  const activities = await world.store.activities.list({ groupId })
  const scheduled = activities.filter(
    (activity) => 'origin' in activity.request && activity.request.origin === 'Scheduled',
  )
  assert.equal(scheduled.length, 2 * DAYS)
  const alarmRuns = activities.filter(
    (activity) => activity.request.kind === 'ExecuteRule' && alarmRuleIds.includes(activity.request.ruleId),
  )
  assert.equal(alarmRuns.length, 0, 'the alarm policies stay quiet')
  for (const created of alarms) {
    const alarm = await world.services.alarms.get(created.id)
    assert.equal(alarm.state, 'OK', `${alarm.name} evaluated the group's CPU and stayed OK`)
  }
  await world.close()
})
