/**
 * Cron expressions (five fields: minute hour day-of-month month day-of-week, with names, ranges,
 * steps, L, W and #, as croner reads them), matched on the wall clock.
 *
 * croner is used as a pure pattern matcher in UTC, on wall-clock milliseconds (see time-zone.ts):
 * it then never meets a transition, and daylight saving is resolved afterwards by the one rule
 * every recurrence shares. croner's own time-zone mode would treat "every 15 minutes" differently
 * from "at 02:30" around a transition; issue 5 asks for one rule.
 */
import { Cron } from 'croner'

/** Parsed patterns are kept; expressions are few and parsing is the costly part. Bounded. */
const PATTERNS_MAX = 1_000
const patterns = new Map<string, Cron>()

/** Long expressions are refused before parsing: a limit on everything. */
export const CRON_EXPRESSION_CHARS_MAX = 128

/** The parsed expression, or a string saying what is wrong with it. */
export function parseCron(expression: string): Cron | string {
  const cached = patterns.get(expression)
  if (cached) return cached
  if (expression.length > CRON_EXPRESSION_CHARS_MAX) return `is longer than ${CRON_EXPRESSION_CHARS_MAX} characters`
  if (expression.trim().startsWith('@')) return 'takes five fields (minute hour day month weekday), not a nickname'
  try {
    // Without a function to run, croner schedules nothing: no timer, no clock read.
    const pattern = new Cron(expression, { timezone: 'UTC', mode: '5-part', domAndDow: false })
    if (patterns.size >= PATTERNS_MAX) patterns.clear()
    patterns.set(expression, pattern)
    return pattern
  } catch (error) {
    return error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error)
  }
}

/** The first wall-clock minute at or after `fromWallMs` that the expression matches; null when none ever does. */
export function nextCronWallMs(expression: string, fromWallMs: number): number | null {
  const pattern = parseCron(expression)
  if (typeof pattern === 'string') return null
  // croner answers strictly after its argument; one second earlier makes `fromWallMs` itself eligible.
  const next = pattern.nextRun(new Date(fromWallMs - 1000))
  return next === null ? null : next.getTime()
}
