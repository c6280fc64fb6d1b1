/**
 * The flags of `billow schedule create|modify` turned into the REST body of a scheduled task.
 * Times are passed through as written ("2026-01-05 11:00" is local time in the task's zone,
 * "2026-01-05T03:00Z" an instant): the server reads them, so every client reads them alike.
 */
import { WEEKDAY_NAMES } from '../core/schedule/recurrence.ts'
import { parseInteger } from './args.ts'
import { UsageError } from './errors.ts'

export interface ScheduleFlags {
  readonly group?: string
  readonly name?: string
  readonly description?: string
  readonly at?: string
  readonly timeZone?: string
  readonly daily?: boolean | string
  readonly weekly?: string
  readonly monthly?: string
  readonly cron?: string
  readonly once?: boolean
  readonly until?: string
  readonly clearUntil?: boolean
  readonly windowEnd?: string
  readonly clearWindow?: boolean
  readonly expiration?: number
  readonly rule?: string
  readonly min?: number
  readonly max?: number
  readonly desired?: number
  readonly disabled?: boolean
  readonly json?: boolean
}

/** `mon,fri`, `1,5` or `mon-fri`: days of the week as numbers, 0 = Sunday. */
export function parseWeekdays(text: string): number[] {
  const names = WEEKDAY_NAMES.map((name) => name.toLowerCase())
  const day = (word: string): number => {
    const index = names.indexOf(word.trim().toLowerCase().slice(0, 3))
    if (index >= 0 && word.trim().length >= 3) return index
    return parseInteger(word, '--weekly day', { min: 0 })
  }
  return expandList(text, day, '--weekly')
}

/** `1,15` or `1-5,20`: days of the month. */
export function parseMonthDays(text: string): number[] {
  return expandList(text, (word) => parseInteger(word, '--monthly day', { min: 1 }), '--monthly')
}

function expandList(text: string, read: (word: string) => number, what: string): number[] {
  const days: number[] = []
  for (const part of text.split(',')) {
    const [from, to, extra] = part.split('-')
    if (from === undefined || from.trim() === '' || extra !== undefined)
      throw new UsageError(`${what}: cannot read '${part}'`)
    const first = read(from)
    const last = to === undefined ? first : read(to)
    if (last < first) throw new UsageError(`${what}: the range '${part}' runs backwards`)
    for (let value = first; value <= last; value += 1) days.push(value)
  }
  return days
}

function recurrenceFrom(flags: ScheduleFlags): Record<string, unknown> | null | undefined {
  const given = [flags.daily !== undefined, flags.weekly, flags.monthly, flags.cron, flags.once].filter(Boolean)
  if (given.length > 1) throw new UsageError('give one of --daily, --weekly, --monthly, --cron and --once')
  if (flags.once) return null
  if (flags.daily !== undefined) {
    const intervalDays = flags.daily === true ? 1 : parseInteger(String(flags.daily), '--daily', { min: 1 })
    return { type: 'Daily', intervalDays }
  }
  if (flags.weekly !== undefined) return { type: 'Weekly', daysOfWeek: parseWeekdays(flags.weekly) }
  if (flags.monthly !== undefined) return { type: 'Monthly', daysOfMonth: parseMonthDays(flags.monthly) }
  if (flags.cron !== undefined) return { type: 'Cron', expression: flags.cron }
  return undefined
}

function actionFrom(flags: ScheduleFlags): Record<string, unknown> | undefined {
  const sizes = flags.min !== undefined || flags.max !== undefined || flags.desired !== undefined
  if (flags.rule !== undefined && sizes) throw new UsageError('give either --rule or --min/--max/--desired, not both')
  if (flags.rule !== undefined) return { kind: 'ExecuteRule', ruleId: flags.rule }
  if (!sizes) return undefined
  const action: Record<string, unknown> = { kind: 'SetGroupSize' }
  if (flags.min !== undefined) action.minSize = flags.min
  if (flags.max !== undefined) action.maxSize = flags.max
  if (flags.desired !== undefined) action.desiredCapacity = flags.desired
  return action
}

/** The body of a create (every required field) or a modify (the fields given). */
export function scheduleBodyFrom(flags: ScheduleFlags, { creating }: { creating: boolean }): Record<string, unknown> {
  if (flags.until !== undefined && flags.clearUntil) throw new UsageError('give either --until or --clear-until')
  if (flags.windowEnd !== undefined && flags.clearWindow)
    throw new UsageError('give either --window-end or --clear-window')
  const body: Record<string, unknown> = {}
  const set = (field: string, value: unknown) => {
    if (value !== undefined) body[field] = value
  }
  set('groupId', flags.group)
  set('name', flags.name)
  set('description', flags.description)
  set('timeZone', flags.timeZone)
  set('launchTime', flags.at)
  set('recurrence', recurrenceFrom(flags))
  set('recurrenceEndTime', flags.clearUntil ? null : flags.until)
  set('windowEndTime', flags.clearWindow ? null : flags.windowEnd)
  set('launchExpirationSeconds', flags.expiration)
  set('action', actionFrom(flags))
  if (flags.disabled) body.enabled = false
  if (creating && body.action === undefined)
    throw new UsageError('say what the task does: --rule, or --min/--max/--desired')
  return body
}
