/**
 * Recurrences on the wall clock: given the launch time and a starting point, the next local
 * date and time the recurrence names. Daylight saving is not this file's concern: wall-clock
 * days are all 24 hours (see time-zone.ts); occurrences.ts turns the result into an instant.
 */
import { nextCronWallMs } from './cron-expression.ts'
import { startOfWallDay } from './local-time.ts'
import type { Recurrence } from './scheduled-task.ts'
import { DAY_MS } from './time-zone.ts'

/** A monthly recurrence finds its next day within this many months (31st of a month: at most 2 apart). */
const MONTHS_SEARCHED_MAX = 13
const WEEK_DAYS = 7

/**
 * The first wall-clock time at or after `fromWallMs` (and not before the launch) that the
 * recurrence names; null when it names none.
 */
export function nextRecurrenceWallMs(recurrence: Recurrence, launchWallMs: number, fromWallMs: number): number | null {
  const from = Math.max(fromWallMs, launchWallMs)
  const timeOfDayMs = launchWallMs - startOfWallDay(launchWallMs)
  switch (recurrence.type) {
    case 'Daily': {
      const periodMs = recurrence.intervalDays * DAY_MS
      return launchWallMs + Math.ceil((from - launchWallMs) / periodMs) * periodMs
    }
    case 'Weekly':
      for (let day = 0; day <= WEEK_DAYS; day += 1) {
        const candidate = startOfWallDay(from) + day * DAY_MS + timeOfDayMs
        if (candidate >= from && recurrence.daysOfWeek.includes(new Date(candidate).getUTCDay())) return candidate
      }
      return null
    case 'Monthly':
      return nextMonthlyWallMs(recurrence.daysOfMonth, timeOfDayMs, from)
    case 'Cron':
      return nextCronWallMs(recurrence.expression, from)
  }
}

function nextMonthlyWallMs(daysOfMonth: readonly number[], timeOfDayMs: number, from: number): number | null {
  const start = new Date(from)
  const days = [...daysOfMonth].sort((a, b) => a - b)
  for (let month = 0; month < MONTHS_SEARCHED_MAX; month += 1) {
    const year = start.getUTCFullYear()
    const monthIndex = start.getUTCMonth() + month
    const daysInMonth = new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate()
    for (const day of days) {
      if (day > daysInMonth) break
      const candidate = Date.UTC(year, monthIndex, day) + timeOfDayMs
      if (candidate >= from) return candidate
    }
  }
  return null
}

/** "daily", "every 2 days", "weekly on Mon, Fri", "monthly on 1, 15", "cron 0 11 * * *". */
export function describeRecurrence(recurrence: Recurrence | null): string {
  if (recurrence === null) return 'once'
  switch (recurrence.type) {
    case 'Daily':
      return recurrence.intervalDays === 1 ? 'daily' : `every ${recurrence.intervalDays} days`
    case 'Weekly':
      return `weekly on ${[...recurrence.daysOfWeek]
        .sort((a, b) => a - b)
        .map((day) => WEEKDAY_NAMES[day])
        .join(', ')}`
    case 'Monthly':
      return `monthly on day ${[...recurrence.daysOfMonth].sort((a, b) => a - b).join(', ')}`
    case 'Cron':
      return `cron ${recurrence.expression}`
  }
}

export const WEEKDAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const
