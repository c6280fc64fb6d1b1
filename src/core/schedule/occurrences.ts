/**
 * When a task runs: its occurrences as instants. The schedule is walked on the wall clock of the
 * task's time zone and each wall-clock time is resolved by time-zone.ts's rules, so a time that
 * does not exist runs at the transition and a time that exists twice runs once. Several
 * wall-clock times inside one gap resolve to the same instant and count as one occurrence.
 */
import { assert } from '../errors.ts'
import { formatUtc, formatWallClock, parseTimeInput, parseTimeOfDay, startOfWallDay } from './local-time.ts'
import { nextRecurrenceWallMs } from './recurrence.ts'
import type { ScheduledTask } from './scheduled-task.ts'
import { DAY_MS, instantOfWallClock, MINUTE_MS, nearbyShiftMs, wallClockMs } from './time-zone.ts'

export type Schedule = Pick<ScheduledTask, 'timeZone' | 'launchTime' | 'recurrence' | 'recurrenceEndAtMs'>

/**
 * Wall-clock candidates one search may look at before it must have passed `afterMs`: the search
 * starts at most a transition's size (hours) before it, and occurrences are at least a minute apart.
 */
const CANDIDATES_PER_SEARCH_MAX = 24 * 60

export function launchWallMs(schedule: Pick<Schedule, 'launchTime'>): number {
  const parsed = parseTimeInput(schedule.launchTime)
  assert(typeof parsed !== 'string' && parsed.kind === 'local', `stored launch time ${schedule.launchTime} is local`)
  return parsed.wallMs
}

/** The first occurrence strictly after `afterMs`; null when there is none (a past one-time task, an ended recurrence, a cron that never matches). */
export function nextOccurrenceAfter(schedule: Schedule, afterMs: number): number | null {
  const launch = launchWallMs(schedule)
  const { timeZone, recurrence, recurrenceEndAtMs } = schedule
  if (recurrence === null) {
    const atMs = instantOfWallClock(launch, timeZone)
    return atMs > afterMs ? atMs : null
  }
  let fromWallMs = wallClockMs(afterMs, timeZone) - nearbyShiftMs(afterMs, timeZone)
  for (let candidates = 0; candidates < CANDIDATES_PER_SEARCH_MAX; candidates += 1) {
    const wallMs = nextRecurrenceWallMs(recurrence, launch, fromWallMs)
    if (wallMs === null) return null
    const atMs = instantOfWallClock(wallMs, timeZone)
    if (recurrenceEndAtMs !== null && atMs > recurrenceEndAtMs) return null
    if (atMs > afterMs) return atMs
    fromWallMs = wallMs + MINUTE_MS
  }
  assert(false, `the search for the occurrence after ${afterMs} stays within ${CANDIDATES_PER_SEARCH_MAX} candidates`)
}

/** Up to `count` occurrences strictly after `afterMs`, in order. */
export function nextOccurrences(schedule: Schedule, afterMs: number, count: number): number[] {
  const found: number[] = []
  let cursorMs = afterMs
  while (found.length < count) {
    const next = nextOccurrenceAfter(schedule, cursorMs)
    if (next === null) break
    found.push(next)
    cursorMs = next
  }
  return found
}

/** Occurrences in (afterMs, untilMs], oldest first, at most `limit` of them. */
export function occurrencesBetween(schedule: Schedule, afterMs: number, untilMs: number, limit: number): number[] {
  const found: number[] = []
  let cursorMs = afterMs
  while (found.length < limit) {
    const next = nextOccurrenceAfter(schedule, cursorMs)
    if (next === null || next > untilMs) break
    found.push(next)
    cursorMs = next
  }
  return found
}

/**
 * The end of an occurrence's window: the first time after the occurrence that the wall clock
 * shows `windowEndTime` (the same day, or the next when the window crosses midnight).
 */
export function windowEndAfter(occurrenceAtMs: number, windowEndTime: string, timeZone: string): number {
  const minutes = parseTimeOfDay(windowEndTime)
  assert(typeof minutes === 'number', `stored window end ${windowEndTime} is a time of day`)
  const wallMs = wallClockMs(occurrenceAtMs, timeZone)
  let endWallMs = startOfWallDay(wallMs) + minutes * MINUTE_MS
  if (endWallMs <= wallMs) endWallMs += DAY_MS
  return instantOfWallClock(endWallMs, timeZone)
}

/** An occurrence as people read it: local time in the task's zone and UTC. */
export interface OccurrenceView {
  readonly atMs: number
  /** "2026-01-05T11:00" on the task's wall clock. */
  readonly local: string
  /** "2026-01-05T03:00:00Z". */
  readonly utc: string
}

export const viewOccurrence = (atMs: number, timeZone: string): OccurrenceView => ({
  atMs,
  local: formatWallClock(wallClockMs(atMs, timeZone)),
  utc: formatUtc(atMs),
})
