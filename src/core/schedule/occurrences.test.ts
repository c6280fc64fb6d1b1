/**
 * Recurrence and daylight saving, on instants passed in (the virtual clock of these tests):
 * a local time that does not exist runs at the first valid instant after it, one that exists
 * twice runs once. New York and Berlin change on different dates and at different hours;
 * Shanghai never does.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseTimeInput } from './local-time.ts'
import { nextOccurrences, occurrencesBetween, type Schedule, windowEndAfter } from './occurrences.ts'
import type { Recurrence } from './scheduled-task.ts'
import { canonicalTimeZone, instantOfWallClock, wallClockMs } from './time-zone.ts'
import { scheduleProblem } from './validate-schedule.ts'

const utc = (text: string): number => Date.parse(text)
const iso = (atMs: number): string => new Date(atMs).toISOString().replace(':00.000Z', 'Z')
const wall = (text: string): number => {
  const parsed = parseTimeInput(text)
  assert.ok(typeof parsed !== 'string' && parsed.kind === 'local')
  return parsed.wallMs
}

const schedule = (
  timeZone: string,
  launchTime: string,
  recurrence: Recurrence | null,
  recurrenceEndAtMs: number | null = null,
): Schedule => ({ timeZone, launchTime, recurrence, recurrenceEndAtMs })

const next = (s: Schedule, after: string, count: number): string[] => nextOccurrences(s, utc(after), count).map(iso)

describe('wall clock to instant', () => {
  const cases: [zone: string, local: string, expected: string][] = [
    ['Asia/Shanghai', '2026-01-05T11:00', '2026-01-05T03:00Z'],
    // New York springs forward at 02:00 EST (07:00Z) on 8 March 2026: 02:00–02:59 do not exist.
    ['America/New_York', '2026-03-08T01:59', '2026-03-08T06:59Z'],
    ['America/New_York', '2026-03-08T02:00', '2026-03-08T07:00Z'],
    ['America/New_York', '2026-03-08T02:30', '2026-03-08T07:00Z'],
    ['America/New_York', '2026-03-08T03:00', '2026-03-08T07:00Z'],
    // It falls back at 02:00 EDT (06:00Z) on 1 November 2026: 01:00–01:59 happen twice; the first counts.
    ['America/New_York', '2026-11-01T01:30', '2026-11-01T05:30Z'],
    ['America/New_York', '2026-11-01T02:00', '2026-11-01T07:00Z'],
    // Berlin springs forward at 02:00 CET (01:00Z) on 29 March and falls back at 03:00 CEST (01:00Z) on 25 October.
    ['Europe/Berlin', '2026-03-29T02:30', '2026-03-29T01:00Z'],
    ['Europe/Berlin', '2026-03-29T03:00', '2026-03-29T01:00Z'],
    ['Europe/Berlin', '2026-10-25T02:30', '2026-10-25T00:30Z'],
    ['Europe/Berlin', '2026-10-25T03:00', '2026-10-25T02:00Z'],
  ]
  for (const [zone, local, expected] of cases) {
    test(`${local} in ${zone} is ${expected}`, () => {
      assert.equal(iso(instantOfWallClock(wall(local), zone)), expected)
    })
  }

  test('the instant of a wall-clock time shows that time again, except in a gap', () => {
    const atMs = utc('2026-10-25T01:30:00Z') // 02:30 CET, the second 02:30 of the night
    assert.equal(wallClockMs(atMs, 'Europe/Berlin'), wall('2026-10-25T02:30'))
    assert.equal(
      wallClockMs(instantOfWallClock(wall('2026-07-01T12:00'), 'Europe/Berlin'), 'Europe/Berlin'),
      wall('2026-07-01T12:00'),
    )
  })

  test('time zones are IANA names, spelled canonically', () => {
    assert.equal(canonicalTimeZone('asia/shanghai'), 'Asia/Shanghai')
    assert.equal(canonicalTimeZone('UTC'), 'UTC')
    assert.equal(canonicalTimeZone('Mars/Olympus_Mons'), undefined)
    assert.equal(canonicalTimeZone('+08:00'), undefined)
  })
})

describe('daily tasks across daylight saving', () => {
  test('New York, 02:30 daily: on the spring-forward day it runs at 03:00 EDT, once; the local time then stays 02:30', () => {
    const s = schedule('America/New_York', '2026-03-01T02:30', { type: 'Daily', intervalDays: 1 })
    assert.deepEqual(next(s, '2026-03-07T00:00:00Z', 3), [
      '2026-03-07T07:30Z',
      '2026-03-08T07:00Z',
      '2026-03-09T06:30Z',
    ])
  })

  test('New York, 01:30 daily: on the fall-back day it runs once, at the first 01:30 (EDT)', () => {
    const s = schedule('America/New_York', '2026-10-01T01:30', { type: 'Daily', intervalDays: 1 })
    assert.deepEqual(next(s, '2026-10-31T00:00:00Z', 3), [
      '2026-10-31T05:30Z',
      '2026-11-01T05:30Z',
      '2026-11-02T06:30Z',
    ])
    const afterFirst = occurrencesBetween(s, utc('2026-11-01T05:30:00Z'), utc('2026-11-01T23:00:00Z'), 10)
    assert.deepEqual(afterFirst, [], 'the second 01:30 (06:30Z) is not an occurrence')
  })

  test('Berlin, 02:30 daily: the missing 02:30 runs at 03:00 CEST; the doubled 02:30 runs once (CEST)', () => {
    const s = schedule('Europe/Berlin', '2026-03-01T02:30', { type: 'Daily', intervalDays: 1 })
    assert.deepEqual(next(s, '2026-03-28T00:00:00Z', 3), [
      '2026-03-28T01:30Z',
      '2026-03-29T01:00Z',
      '2026-03-30T00:30Z',
    ])
    assert.deepEqual(next(s, '2026-10-24T00:00:00Z', 3), [
      '2026-10-24T00:30Z',
      '2026-10-25T00:30Z',
      '2026-10-26T01:30Z',
    ])
  })

  test('Shanghai has no daylight saving: 11:00 is 03:00Z every day of the year', () => {
    const s = schedule('Asia/Shanghai', '2026-01-01T11:00', { type: 'Daily', intervalDays: 1 })
    const all = occurrencesBetween(s, utc('2026-01-01T00:00:00Z'), utc('2027-01-01T00:00:00Z'), 400)
    assert.equal(all.length, 365)
    assert.ok(all.every((atMs) => iso(atMs).endsWith('T03:00Z')))
  })

  test('every 2 days counts from the launch date', () => {
    const s = schedule('Asia/Shanghai', '2026-01-01T11:00', { type: 'Daily', intervalDays: 2 })
    assert.deepEqual(next(s, '2026-01-02T00:00:00Z', 3), [
      '2026-01-03T03:00Z',
      '2026-01-05T03:00Z',
      '2026-01-07T03:00Z',
    ])
  })
})

describe('cron expressions across daylight saving', () => {
  test('Berlin, every 15 minutes: the missing hour collapses into one run at 03:00 CEST', () => {
    const s = schedule('Europe/Berlin', '2026-03-28T00:00', { type: 'Cron', expression: '*/15 * * * *' })
    assert.deepEqual(next(s, '2026-03-29T00:30:00Z', 4), [
      '2026-03-29T00:45Z', // 01:45 CET
      '2026-03-29T01:00Z', // 02:00–02:45 do not exist, and 03:00 CEST is the same instant: one run
      '2026-03-29T01:15Z', // 03:15 CEST
      '2026-03-29T01:30Z',
    ])
  })

  test('New York, every 30 minutes: the repeated hour runs once', () => {
    const s = schedule('America/New_York', '2026-10-31T00:00', { type: 'Cron', expression: '0,30 * * * *' })
    assert.deepEqual(next(s, '2026-11-01T04:00:00Z', 5), [
      '2026-11-01T04:30Z', // 00:30 EDT
      '2026-11-01T05:00Z', // 01:00 EDT
      '2026-11-01T05:30Z', // 01:30 EDT; 01:00 and 01:30 EST are not occurrences again
      '2026-11-01T07:00Z', // 02:00 EST
      '2026-11-01T07:30Z',
    ])
  })

  test('New York, cron 30 2 * * *: at 03:00 EDT on the spring-forward day, then 02:30 again', () => {
    const s = schedule('America/New_York', '2026-03-01T00:00', { type: 'Cron', expression: '30 2 * * *' })
    assert.deepEqual(next(s, '2026-03-07T12:00:00Z', 2), ['2026-03-08T07:00Z', '2026-03-09T06:30Z'])
  })

  test('Shanghai, noon on weekdays', () => {
    const s = schedule('Asia/Shanghai', '2026-01-01T00:00', { type: 'Cron', expression: '0 12 * * MON-FRI' })
    // 1 January 2026 is a Thursday.
    assert.deepEqual(next(s, '2026-01-01T00:00:00Z', 3), [
      '2026-01-01T04:00Z',
      '2026-01-02T04:00Z',
      '2026-01-05T04:00Z',
    ])
  })
})

describe('weekly, monthly, one-time and the recurrence end', () => {
  test('weekly on Monday and Friday at the launch time of day', () => {
    const s = schedule('Asia/Shanghai', '2026-01-01T12:00', { type: 'Weekly', daysOfWeek: [1, 5] })
    assert.deepEqual(next(s, '2025-12-01T00:00:00Z', 3), [
      '2026-01-02T04:00Z',
      '2026-01-05T04:00Z',
      '2026-01-09T04:00Z',
    ])
  })

  test('monthly on the 31st skips the months without one', () => {
    const s = schedule('Asia/Shanghai', '2026-01-01T09:00', { type: 'Monthly', daysOfMonth: [31] })
    assert.deepEqual(next(s, '2026-01-01T00:00:00Z', 3), [
      '2026-01-31T01:00Z',
      '2026-03-31T01:00Z',
      '2026-05-31T01:00Z',
    ])
  })

  test('a one-time task has one occurrence; a recurrence stops at its end (inclusive)', () => {
    const once = schedule('Europe/Berlin', '2026-06-01T08:00', null)
    assert.deepEqual(next(once, '2026-01-01T00:00:00Z', 3), ['2026-06-01T06:00Z'])
    assert.deepEqual(next(once, '2026-06-01T06:00:00Z', 3), [])
    const ending = schedule(
      'Asia/Shanghai',
      '2026-01-01T11:00',
      { type: 'Daily', intervalDays: 1 },
      utc('2026-01-03T03:00:00Z'),
    )
    assert.deepEqual(next(ending, '2026-01-01T00:00:00Z', 5), [
      '2026-01-01T03:00Z',
      '2026-01-02T03:00Z',
      '2026-01-03T03:00Z',
    ])
  })
})

describe('windows', () => {
  test('a window ends at the next local end time, crossing midnight when it must, and keeps local time across DST', () => {
    assert.equal(iso(windowEndAfter(utc('2026-01-05T03:00:00Z'), '13:00', 'Asia/Shanghai')), '2026-01-05T05:00Z')
    assert.equal(iso(windowEndAfter(utc('2026-01-05T15:00:00Z'), '01:00', 'Asia/Shanghai')), '2026-01-05T17:00Z')
    // 00:30 EST → 04:00 EDT on the spring-forward night: 2.5 hours of real time.
    assert.equal(iso(windowEndAfter(utc('2026-03-08T05:30:00Z'), '04:00', 'America/New_York')), '2026-03-08T08:00Z')
  })
})

describe('schedule validation names the field', () => {
  const nowMs = utc('2026-01-01T00:00:00Z')
  const base = { windowEndTime: null }
  const problem = (s: Schedule & { windowEndTime: string | null }) => scheduleProblem(s, { nowMs, scheduleIsNew: true })

  test('a cron that never fires', () => {
    const s = schedule('Asia/Shanghai', '2026-01-01T11:00', { type: 'Cron', expression: '0 0 30 2 *' })
    assert.equal(problem({ ...s, ...base })?.field, 'recurrence.expression')
    const bad = schedule('Asia/Shanghai', '2026-01-01T11:00', { type: 'Cron', expression: '61 * * * *' })
    assert.equal(problem({ ...bad, ...base })?.field, 'recurrence.expression')
  })

  test('an end before the start, and an end before any occurrence from now', () => {
    const s = schedule(
      'Asia/Shanghai',
      '2026-02-01T11:00',
      { type: 'Daily', intervalDays: 1 },
      utc('2026-01-15T00:00:00Z'),
    )
    assert.equal(problem({ ...s, ...base })?.field, 'recurrenceEndTime')
    const past = schedule(
      'Asia/Shanghai',
      '2025-01-01T11:00',
      { type: 'Daily', intervalDays: 1 },
      utc('2025-06-01T00:00:00Z'),
    )
    assert.equal(problem({ ...past, ...base })?.field, 'recurrenceEndTime')
  })

  test('a one-time task in the past; a recurring one may have started in the past', () => {
    assert.equal(problem({ ...schedule('Asia/Shanghai', '2025-12-31T11:00', null), ...base })?.field, 'launchTime')
    const recurring = schedule('Asia/Shanghai', '2025-12-31T11:00', { type: 'Daily', intervalDays: 1 })
    assert.equal(problem({ ...recurring, ...base }), null)
  })

  test('a window that reaches the next occurrence', () => {
    const hourly = schedule('Asia/Shanghai', '2026-01-01T11:00', { type: 'Cron', expression: '0 * * * *' })
    assert.equal(problem({ ...hourly, windowEndTime: '13:00' })?.field, 'windowEndTime')
    const daily = schedule('Asia/Shanghai', '2026-01-01T11:00', { type: 'Daily', intervalDays: 1 })
    assert.equal(problem({ ...daily, windowEndTime: '13:00' }), null)
    assert.equal(problem({ ...daily, windowEndTime: '25:00' })?.field, 'windowEndTime')
  })

  test('recurrence fields', () => {
    const s = (recurrence: Recurrence) => ({ ...schedule('Asia/Shanghai', '2026-01-01T11:00', recurrence), ...base })
    assert.equal(problem(s({ type: 'Daily', intervalDays: 0 }))?.field, 'recurrence.intervalDays')
    assert.equal(problem(s({ type: 'Weekly', daysOfWeek: [] }))?.field, 'recurrence.daysOfWeek')
    assert.equal(problem(s({ type: 'Weekly', daysOfWeek: [7] }))?.field, 'recurrence.daysOfWeek')
    assert.equal(problem(s({ type: 'Monthly', daysOfMonth: [1, 1] }))?.field, 'recurrence.daysOfMonth')
  })
})
