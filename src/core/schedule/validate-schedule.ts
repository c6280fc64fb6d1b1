/**
 * Checks of a scheduled task's schedule that need no store: each failure names the request field
 * it is about, so the API can answer 4xx with it. Pure; `nowMs` is passed in.
 */
import { parseCron } from './cron-expression.ts'
import { parseTimeOfDay } from './local-time.ts'
import {
  launchWallMs,
  nextOccurrenceAfter,
  nextOccurrences,
  type Schedule,
  viewOccurrence,
  windowEndAfter,
} from './occurrences.ts'
import type { Recurrence } from './scheduled-task.ts'
import { instantOfWallClock } from './time-zone.ts'

export interface ScheduleProblem {
  readonly field: string
  readonly message: string
}

/** ESS allows a daily interval of 1 to 31 days. */
export const INTERVAL_DAYS_MAX = 31
/** Occurrences whose windows are checked against the next occurrence; enough for any daily, weekly or cron pattern to show a clash. */
const WINDOW_CHECKS_MAX = 64

export function recurrenceProblem(recurrence: Recurrence): ScheduleProblem | null {
  const isIntegerIn = (value: number, minimum: number, maximum: number) =>
    Number.isInteger(value) && value >= minimum && value <= maximum
  const listProblem = (field: string, values: readonly number[], minimum: number, maximum: number) => {
    if (values.length === 0) return { field, message: `${field}: name at least one day` }
    if (!values.every((value) => isIntegerIn(value, minimum, maximum)))
      return { field, message: `${field}: days are integers from ${minimum} to ${maximum}` }
    if (new Set(values).size !== values.length) return { field, message: `${field}: names a day twice` }
    return null
  }
  switch (recurrence.type) {
    case 'Daily':
      return isIntegerIn(recurrence.intervalDays, 1, INTERVAL_DAYS_MAX)
        ? null
        : {
            field: 'recurrence.intervalDays',
            message: `recurrence.intervalDays: must be an integer from 1 to ${INTERVAL_DAYS_MAX}`,
          }
    case 'Weekly':
      return listProblem('recurrence.daysOfWeek', recurrence.daysOfWeek, 0, 6)
    case 'Monthly':
      return listProblem('recurrence.daysOfMonth', recurrence.daysOfMonth, 1, 31)
    case 'Cron': {
      const parsed = parseCron(recurrence.expression)
      return typeof parsed === 'string'
        ? { field: 'recurrence.expression', message: `recurrence.expression: ${parsed}` }
        : null
    }
  }
}

/**
 * The schedule as a whole: end after start, windows that end before the next occurrence, and,
 * when the schedule is being set (not when only a name or an action changes, which a task whose
 * time has passed may still want), a one-time launch in the future or a recurrence with at least
 * one occurrence from now on.
 */
export function scheduleProblem(
  schedule: Schedule & { readonly windowEndTime: string | null },
  options: { readonly nowMs: number; readonly scheduleIsNew: boolean },
): ScheduleProblem | null {
  const { nowMs } = options
  const launchAtMs = instantOfWallClock(launchWallMs(schedule), schedule.timeZone)
  const launch = viewOccurrence(launchAtMs, schedule.timeZone)
  if (schedule.recurrence === null) {
    if (schedule.recurrenceEndAtMs !== null)
      return { field: 'recurrenceEndTime', message: 'recurrenceEndTime: applies to recurring tasks only' }
    if (options.scheduleIsNew && launchAtMs < nowMs) {
      return {
        field: 'launchTime',
        message: `launchTime: ${launch.local} ${schedule.timeZone} (${launch.utc}) is in the past; a one-time task must launch in the future`,
      }
    }
  } else {
    const problem =
      recurrenceProblem(schedule.recurrence) ??
      endProblem(schedule, launchAtMs, launch.utc, options.scheduleIsNew ? nowMs : null)
    if (problem) return problem
  }
  return schedule.windowEndTime === null ? null : windowProblem(schedule, schedule.windowEndTime, nowMs)
}

/** `nowMs` null: only the end's order is checked, not whether an occurrence is left. */
function endProblem(
  schedule: Schedule,
  launchAtMs: number,
  launchUtc: string,
  nowMs: number | null,
): ScheduleProblem | null {
  const end = schedule.recurrenceEndAtMs
  if (end !== null && end < launchAtMs) {
    return { field: 'recurrenceEndTime', message: `recurrenceEndTime: is before the launch time (${launchUtc})` }
  }
  if (nowMs === null || nextOccurrenceAfter(schedule, nowMs - 1) !== null) return null
  if (end !== null && nextOccurrenceAfter({ ...schedule, recurrenceEndAtMs: null }, nowMs - 1) !== null) {
    return { field: 'recurrenceEndTime', message: 'recurrenceEndTime: no occurrence falls between now and this end' }
  }
  const field = schedule.recurrence?.type === 'Cron' ? 'recurrence.expression' : 'recurrence'
  return { field, message: `${field}: never fires` }
}

function windowProblem(schedule: Schedule, windowEndTime: string, nowMs: number): ScheduleProblem | null {
  if (typeof parseTimeOfDay(windowEndTime) === 'string') {
    return { field: 'windowEndTime', message: `windowEndTime: ${parseTimeOfDay(windowEndTime)}` }
  }
  const occurrences = nextOccurrences(schedule, nowMs - 1, WINDOW_CHECKS_MAX + 1)
  for (let index = 0; index + 1 < occurrences.length; index += 1) {
    const start = occurrences[index] as number
    const next = occurrences[index + 1] as number
    if (windowEndAfter(start, windowEndTime, schedule.timeZone) >= next) {
      const clash = viewOccurrence(next, schedule.timeZone)
      return {
        field: 'windowEndTime',
        message: `windowEndTime: the window of each occurrence must end before the next one starts (${clash.local} ${schedule.timeZone})`,
      }
    }
  }
  return null
}
