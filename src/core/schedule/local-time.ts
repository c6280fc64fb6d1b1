/**
 * The time strings scheduled tasks are written in. A launch time is a local date and time
 * ("2026-01-05T11:00", read in the task's time zone) or an instant ("2026-01-05T03:00Z",
 * "2026-01-05T11:00+08:00"); times are whole minutes, like the clouds' scheduled tasks.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS } from './time-zone.ts'

export type TimeInput =
  | { readonly kind: 'local'; readonly wallMs: number }
  | { readonly kind: 'instant'; readonly atMs: number }

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?$/
const TIME_OF_DAY = /^(\d{2}):(\d{2})$/

/** Years a schedule may name; beyond them a typo is likelier than a plan. */
const YEAR_MIN = 2000
const YEAR_MAX = 2200

/** Reads a launch or end time; a string saying what is wrong when it cannot. */
export function parseTimeInput(text: string): TimeInput | string {
  const match = DATE_TIME.exec(text.trim())
  if (!match) return 'must look like 2026-01-05T11:00 (local time) or 2026-01-05T03:00Z (UTC, or an offset)'
  const [y, mo, d, h, mi] = match.slice(1, 6).map(Number) as [number, number, number, number, number]
  const second = match[6] ?? ''
  const zone = match[7] ?? ''
  if (y < YEAR_MIN || y > YEAR_MAX) return `the year must be from ${YEAR_MIN} to ${YEAR_MAX}`
  const wallMs = Date.UTC(y, mo - 1, d, h, mi)
  const check = new Date(wallMs)
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59)
    return `${text} is not a valid date and time`
  if (second !== '' && Number(second) !== 0) return 'times are whole minutes (seconds must be 00)'
  if (zone === '') return { kind: 'local', wallMs }
  if (zone === 'Z') return { kind: 'instant', atMs: wallMs }
  const sign = zone.startsWith('-') ? -1 : 1
  const offsetMs = sign * (Number(zone.slice(1, 3)) * HOUR_MS + Number(zone.slice(4, 6)) * MINUTE_MS)
  return { kind: 'instant', atMs: wallMs - offsetMs }
}

/** Reads "13:00" as minutes after midnight; a string saying what is wrong when it cannot. */
export function parseTimeOfDay(text: string): number | string {
  const match = TIME_OF_DAY.exec(text)
  const hour = Number(match?.[1])
  const minute = Number(match?.[2])
  if (!match || hour > 23 || minute > 59) return 'must be a local time of day such as 13:00 (HH:MM, 24-hour)'
  return hour * 60 + minute
}

const pad = (value: number): string => String(value).padStart(2, '0')

/** "2026-01-05T11:00": wall-clock milliseconds written as a local date and time. */
export function formatWallClock(wallMs: number): string {
  const date = new Date(wallMs)
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`
}

/** "2026-01-05T03:00:00Z": an instant in UTC, the way the API shows it beside local time. */
export const formatUtc = (atMs: number): string => `${new Date(atMs).toISOString().slice(0, 19)}Z`

/** Midnight of the wall-clock day that `wallMs` falls on. */
export const startOfWallDay = (wallMs: number): number => Math.floor(wallMs / DAY_MS) * DAY_MS
