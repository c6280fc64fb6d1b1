/**
 * Scheduled mode in the virtual world: the real engine, scheduler and services on a virtual clock
 * and the simulated provider. Exactly once per occurrence (restarts at the moment of firing, two
 * engines at once), missed occurrences at start-up, retries within the launch expiration and then
 * expiry, windows and their revert, and daylight saving.
 */
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { seededIds } from '../../sim/seeded-ids.ts'
import { createWorld, type World } from '../../sim/world.ts'
import type { ScalingGroupId, ScheduledTaskId } from '../core/ids.ts'
import type { ScheduledTaskRun } from '../core/schedule/scheduled-task.ts'
import { silentLogger } from '../ports/logger.ts'
import type { Collections } from '../ports/store.ts'
import { SimProbe } from '../providers/sim/sim-probe.ts'
import type { ScheduledTaskInput } from '../service/scheduled-tasks.ts'
import { Scheduler } from './scheduler.ts'

const MINUTE_MS = 60_000
const utc = (text: string): number => Date.parse(text)
const isoMinute = (atMs: number): string => new Date(atMs).toISOString().slice(0, 16)

let world: World
let groupId: ScalingGroupId
let plusTwo: string

beforeEach(async () => {
  world = await createWorld({ seed: 5 })
  groupId = await world.createGroup({ desiredCapacity: 2, defaultCooldownSeconds: 300 })
  plusTwo = (
    await world.services.rules.create({
      groupId,
      name: 'plus-two',
      adjustmentType: 'QuantityChangeInCapacity',
      adjustmentValue: 2,
    })
  ).id
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

async function createTask(overrides: Partial<ScheduledTaskInput> = {}): Promise<ScheduledTaskId> {
  const task = await world.services.scheduledTasks.create({
    groupId,
    name: 'task',
    timeZone: 'Asia/Shanghai',
    launchTime: '2026-01-01T08:10', // 00:10Z, ten minutes after the world starts
    action: { kind: 'ExecuteRule', ruleId: plusTwo },
    ...overrides,
  })
  return task.id
}

const history = (taskId: ScheduledTaskId): Promise<readonly ScheduledTaskRun[]> =>
  world.services.scheduledTasks.history(taskId, { limit: 500 })

/** Steps the engine in jumps of at most `stepMs` until the clock reaches `untilMs`. */
async function runTo(untilMs: number, stepMs = MINUTE_MS): Promise<void> {
  while (world.clock.nowMs() < untilMs) await world.stepBy(Math.min(stepMs, untilMs - world.clock.nowMs()))
}

async function scheduledActivities() {
  return (await world.store.activities.list({ groupId })).filter(
    (activity) => 'origin' in activity.request && activity.request.origin === 'Scheduled',
  )
}

describe('an occurrence runs once, at its time, through the group queue', () => {
  test('the run is recorded, its request queued and planned like any other, and never repeated', async () => {
    const taskId = await createTask({ recurrence: { type: 'Daily', intervalDays: 1 } })
    await runTo(utc('2026-01-01T00:09:59Z'), 10_000)
    assert.equal((await history(taskId)).length, 0, 'nothing before its time')
    await world.step()
    const [run] = await history(taskId)
    assert.equal(run?.status, 'Started')
    assert.equal(run?.occurrenceAtMs, utc('2026-01-01T00:10:00Z'))
    const activity = await world.store.activities.get(run?.activityId as never)
    assert.match(
      activity?.cause ?? '',
      new RegExp(`${taskId}.*2026-01-01T08:10 Asia/Shanghai \\(2026-01-01T00:10:00Z\\)`),
    )
    await settle(4)
    await runTo(utc('2026-01-01T01:00:00Z'), 5 * MINUTE_MS)
    const runs = await history(taskId)
    assert.deepEqual(
      runs.map((entry) => entry.status),
      ['Successful'],
    )
    assert.equal((await scheduledActivities()).length, 1)
    assert.equal((await world.services.groups.get(groupId)).desiredCapacity, 4)
  })
})

describe('exactly once across restarts', () => {
  /** The tick dies right after the scheduler's step: the run and its request are committed, nothing else. */
  async function crashAfterScheduler(): Promise<void> {
    const list = world.provider.list.bind(world.provider)
    world.provider.list = async () => {
      throw new Error('controller killed')
    }
    await assert.rejects(world.engine.tick(), /controller killed/)
    world.provider.list = list
  }

  test('a restart at the moment of firing neither loses nor repeats the occurrence', async () => {
    const taskId = await createTask()
    await runTo(utc('2026-01-01T00:09:59Z'), 10_000)
    world.clock.advance(1000)
    await crashAfterScheduler()
    assert.equal((await history(taskId))[0]?.status, 'Started')
    for (let restart = 0; restart < 3; restart += 1) {
      world.restartEngine()
      await world.engine.tick() // the same instant again, with a fresh engine
    }
    await settle(4)
    assert.equal((await history(taskId)).length, 1)
    assert.equal((await scheduledActivities()).length, 1)
  })

  test('a crash before the run is committed records nothing; the restarted engine runs it once', async () => {
    const taskId = await createTask()
    await runTo(utc('2026-01-01T00:09:59Z'), 10_000)
    const transaction = world.store.transaction.bind(world.store)
    let failures = 1
    ;(world.store as { transaction: typeof transaction }).transaction = (work) =>
      transaction(async (tx: Collections) => {
        const result = await work(tx)
        if (failures > 0) {
          failures -= 1
          throw new Error('power cut before commit')
        }
        return result
      })
    world.clock.advance(1000)
    await world.engine.tick().catch(() => {})
    ;(world.store as { transaction: typeof transaction }).transaction = transaction
    assert.equal((await history(taskId)).length, 0, 'the rolled-back run left no trace')
    world.restartEngine()
    await world.step()
    await settle(4)
    assert.equal((await history(taskId)).length, 1)
    assert.equal((await scheduledActivities()).length, 1)
  })

  test('two schedulers firing the same occurrence at the same instant record one run and one activity', async () => {
    const taskId = await createTask()
    await runTo(utc('2026-01-01T00:09:59Z'), 10_000)
    world.clock.advance(1000)
    const context = {
      clock: world.clock,
      store: world.store,
      provider: world.provider,
      probe: new SimProbe(world.provider),
      balancers: {},
      allowlists: {},
      ids: seededIds(99),
      log: silentLogger,
    }
    await Promise.all([new Scheduler(context).step(), new Scheduler(context).step()])
    await settle(4)
    assert.equal((await history(taskId)).length, 1)
    assert.equal((await scheduledActivities()).length, 1)
  })
})

describe('occurrences missed while the server was down', () => {
  const daily = { launchTime: '2026-01-01T11:00', recurrence: { type: 'Daily', intervalDays: 1 } } as const

  test('the latest, still inside its launch expiration, runs once at start-up; older ones are recorded as missed', async () => {
    const taskId = await createTask(daily)
    world.clock.advance(utc('2026-01-04T03:05:00Z') - world.clock.nowMs()) // down for three days and a bit
    world.restartEngine()
    await world.step()
    await settle(4)
    const runs = await history(taskId)
    assert.deepEqual(
      runs.map((run) => [isoMinute(run.occurrenceAtMs), run.status, run.occurrenceCount]),
      [
        ['2026-01-04T03:00', 'Successful', 1],
        ['2026-01-03T03:00', 'Missed', 3],
      ],
    )
    assert.match(runs[1]?.reason ?? '', /2026-01-01T11:00 to 2026-01-03T11:00/)
    assert.equal((await scheduledActivities()).length, 1, 'no burst')
  })

  test('occurrences past their launch expiration are only recorded', async () => {
    const taskId = await createTask({ ...daily, launchExpirationSeconds: 60 })
    world.clock.advance(utc('2026-01-04T03:05:00Z') - world.clock.nowMs())
    world.restartEngine()
    await world.step()
    const runs = await history(taskId)
    assert.deepEqual(
      runs.map((run) => [run.status, run.occurrenceCount]),
      [['Missed', 4]],
    )
    assert.equal((await scheduledActivities()).length, 0)
    assert.equal((await world.liveMembers(groupId)).length, 2)
  })
})

describe('a refused run is retried within its launch expiration, then expires', () => {
  async function startCooldown(cooldownSeconds: number): Promise<void> {
    await world.services.rules.modify(plusTwo, { cooldownSeconds })
    await runTo(utc('2026-01-01T00:08:00Z'), 10_000)
    await world.services.rules.execute(plusTwo, { ignoreCooldown: false })
    await settle(4)
  }

  test('a run refused by cooldown waits, then runs when the cooldown ends', async () => {
    await startCooldown(300)
    const cooldownUntilMs = (await world.services.groups.get(groupId)).cooldownUntilMs ?? 0
    const taskId = await createTask({ launchExpirationSeconds: 600 })
    await runTo(utc('2026-01-01T00:11:00Z'), 5000)
    const waiting = (await history(taskId))[0]
    assert.equal(waiting?.status, 'Waiting')
    assert.match(waiting?.reason ?? '', /cooldown until/)
    assert.ok((waiting?.refusals ?? 0) > 0)
    await runTo(cooldownUntilMs + 5000, 5000)
    await settle(6)
    const run = (await history(taskId))[0]
    assert.equal(run?.status, 'Successful')
    const activity = await world.store.activities.get(run?.activityId as never)
    assert.ok((activity?.startedAtMs ?? 0) >= cooldownUntilMs, 'it ran once the cooldown was over')
  })

  test('a run still refused when its launch expiration passes is Expired, with the reason', async () => {
    await startCooldown(900)
    const taskId = await createTask({ launchExpirationSeconds: 300 })
    await runTo(utc('2026-01-01T00:16:00Z'), 5000)
    const run = (await history(taskId))[0]
    assert.equal(run?.status, 'Expired')
    assert.match(run?.reason ?? '', /launch expiration \(300s.*cooldown until/)
    assert.equal((await scheduledActivities()).length, 0)
    assert.equal((await world.liveMembers(groupId)).length, 4)
  })

  test('a run that finds an activity in progress waits for it, then runs from the capacity it left', async () => {
    const taskId = await createTask()
    await runTo(utc('2026-01-01T00:09:58Z'), 10_000)
    await world.services.capacity.setDesiredCapacity(groupId, 3, { honorCooldown: false })
    await world.step() // the set-desired activity starts: launches boot for 3 s
    await world.step() // 00:10:00, the occurrence
    const waiting = (await history(taskId))[0]
    assert.equal(waiting?.status, 'Waiting')
    assert.match(waiting?.reason ?? '', /is in progress/)
    await settle(5)
    assert.equal((await history(taskId))[0]?.status, 'Successful')
  })
})

describe('windows: the change is reverted at the end unless the group changed since', () => {
  const window = {
    launchTime: '2026-01-01T11:00',
    windowEndTime: '13:00',
    action: { kind: 'SetGroupSize', desiredCapacity: 4 },
  } as const

  test('11:00–13:00 desired 4: back to 2 at 13:00', async () => {
    const taskId = await createTask(window)
    await runTo(utc('2026-01-01T03:00:00Z'), 10 * MINUTE_MS)
    await settle(4)
    await runTo(utc('2026-01-01T04:59:00Z'), 10 * MINUTE_MS)
    assert.equal((await world.liveMembers(groupId)).length, 4)
    await runTo(utc('2026-01-01T05:00:00Z'))
    await settle(2)
    const runs = await history(taskId)
    assert.deepEqual(
      runs.map((run) => [run.phase, run.status]),
      [
        ['Revert', 'Successful'],
        ['Start', 'Successful'],
      ],
    )
    assert.equal((await world.services.groups.get(groupId)).desiredCapacity, 2)
  })

  test('a rule run inside the window wins: the revert is skipped, with the reason', async () => {
    const taskId = await createTask(window)
    await runTo(utc('2026-01-01T03:00:00Z'), 10 * MINUTE_MS)
    await settle(4)
    await runTo(utc('2026-01-01T04:00:00Z'), 10 * MINUTE_MS)
    await world.services.rules.execute(plusTwo, { ignoreCooldown: false })
    await settle(6)
    await runTo(utc('2026-01-01T05:01:00Z'), 10 * MINUTE_MS)
    const [revert] = await history(taskId)
    assert.equal(revert?.phase, 'Revert')
    assert.equal(revert?.status, 'Skipped')
    assert.match(revert?.reason ?? '', /changed the group after the task's run/)
    assert.equal((await world.liveMembers(groupId)).length, 6)
  })

  test('min and max change together, and come back together', async () => {
    await createTask({ ...window, action: { kind: 'SetGroupSize', minSize: 3, maxSize: 8 } })
    await runTo(utc('2026-01-01T03:00:00Z'), 10 * MINUTE_MS)
    await settle(3)
    const during = await world.services.groups.get(groupId)
    assert.deepEqual([during.minSize, during.maxSize, during.desiredCapacity], [3, 8, 3])
    await runTo(utc('2026-01-01T05:00:00Z'), 10 * MINUTE_MS)
    await settle(2)
    const after = await world.services.groups.get(groupId)
    assert.deepEqual([after.minSize, after.maxSize, after.desiredCapacity], [0, 10, 2])
  })
})

describe('enable and disable', () => {
  test('a disabled task does not run; enabling it starts its schedule from then', async () => {
    const taskId = await createTask({ recurrence: { type: 'Daily', intervalDays: 1 } })
    await world.services.scheduledTasks.setEnabled(taskId, false)
    await runTo(utc('2026-01-01T00:30:00Z'), 10 * MINUTE_MS)
    await world.services.scheduledTasks.setEnabled(taskId, true)
    await runTo(utc('2026-01-02T00:20:00Z'), 10 * MINUTE_MS)
    const runs = await history(taskId)
    assert.deepEqual(
      runs.map((run) => [isoMinute(run.occurrenceAtMs), run.status]),
      [['2026-01-02T00:10', 'Successful']],
    )
  })
})

describe('daylight saving on the virtual clock', () => {
  /**
   * Runs [fromMs, untilMs) in half-hour ticks and returns the occurrences that ran. The tasks' launch
   * expiration is an hour, so each occurrence is found by the tick after it; its run records its
   * exact occurrence time.
   */
  async function occurrencesRun(taskId: ScheduledTaskId, fromMs: number, untilMs: number): Promise<string[]> {
    world.clock.advance(fromMs - world.clock.nowMs())
    await runTo(untilMs, 30 * MINUTE_MS)
    return (await history(taskId))
      .filter((run) => run.status === 'Successful')
      .map((run) => isoMinute(run.occurrenceAtMs))
      .reverse()
  }

  test('New York 02:30 daily across spring forward, 01:30 daily across fall back', async () => {
    const setOne = { kind: 'SetGroupSize', desiredCapacity: 3 } as const
    const spring = await createTask({
      name: 'spring',
      timeZone: 'America/New_York',
      launchTime: '2026-03-01T02:30',
      recurrence: { type: 'Daily', intervalDays: 1 },
      launchExpirationSeconds: 3600,
      action: setOne,
    })
    assert.deepEqual(await occurrencesRun(spring, utc('2026-03-07T00:00:00Z'), utc('2026-03-09T12:00:00Z')), [
      '2026-03-07T07:30',
      '2026-03-08T07:00',
      '2026-03-09T06:30',
    ])
    const fall = await createTask({
      name: 'fall',
      timeZone: 'America/New_York',
      launchTime: '2026-10-01T01:30',
      recurrence: { type: 'Daily', intervalDays: 1 },
      launchExpirationSeconds: 3600,
      action: setOne,
    })
    assert.deepEqual(await occurrencesRun(fall, utc('2026-10-31T00:00:00Z'), utc('2026-11-02T12:00:00Z')), [
      '2026-10-31T05:30',
      '2026-11-01T05:30',
      '2026-11-02T06:30',
    ])
  })

  test('Berlin 02:30 daily across both transitions', async () => {
    const berlin = await createTask({
      timeZone: 'Europe/Berlin',
      launchTime: '2026-03-01T02:30',
      recurrence: { type: 'Daily', intervalDays: 1 },
      launchExpirationSeconds: 3600,
      action: { kind: 'SetGroupSize', desiredCapacity: 3 },
    })
    const spring = await occurrencesRun(berlin, utc('2026-03-28T00:00:00Z'), utc('2026-03-30T12:00:00Z'))
    assert.deepEqual(spring.slice(-3), ['2026-03-28T01:30', '2026-03-29T01:00', '2026-03-30T00:30'])
    const fall = await occurrencesRun(berlin, utc('2026-10-24T00:00:00Z'), utc('2026-10-26T12:00:00Z'))
    assert.deepEqual(fall.slice(-3), ['2026-10-24T00:30', '2026-10-25T00:30', '2026-10-26T01:30'])
  })
})
