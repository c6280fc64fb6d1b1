/**
 * How the CLI shows the API's epoch-millisecond times: local wall-clock time for "when", compact
 * durations (`3m12s`) for "how long ago". `now` is always passed in so tests pin it.
 */

const SECOND_MS = 1000
const MINUTE_MS = 60 * SECOND_MS
const HOUR_MS = 60 * MINUTE_MS
const DAY_MS = 24 * HOUR_MS

const pad = (value: number): string => String(value).padStart(2, '0')

/** `2025-11-23 13:23:05` in the local time zone; `-` for a missing time. */
export function formatTime(epochMs: number | null | undefined): string {
  if (epochMs === null || epochMs === undefined) return '-'
  const date = new Date(epochMs)
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
  return `${day} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
}

/**
 * Two units at most, like kubectl: `45s`, `3m12s`, `2h05m`, `3d04h`. Negative durations (clock
 * skew between client and server) show as `0s` rather than confuse.
 */
export function formatDuration(durationMs: number): string {
  const ms = Math.max(0, durationMs)
  if (ms < MINUTE_MS) return `${Math.floor(ms / SECOND_MS)}s`
  if (ms < HOUR_MS) return `${Math.floor(ms / MINUTE_MS)}m${pad(Math.floor((ms % MINUTE_MS) / SECOND_MS))}s`
  if (ms < DAY_MS) return `${Math.floor(ms / HOUR_MS)}h${pad(Math.floor((ms % HOUR_MS) / MINUTE_MS))}m`
  return `${Math.floor(ms / DAY_MS)}d${pad(Math.floor((ms % DAY_MS) / HOUR_MS))}h`
}

/** Age of something created at `epochMs`; `-` when there is no time. */
export function formatAge(epochMs: number | null | undefined, nowMs: number): string {
  if (epochMs === null || epochMs === undefined) return '-'
  return formatDuration(nowMs - epochMs)
}

/** `2025-11-23 13:23:05 (3m12s ago)`, or `(in 4m)` for a future time such as a cooldown end. */
export function formatTimeWithAge(epochMs: number | null | undefined, nowMs: number): string {
  if (epochMs === null || epochMs === undefined) return '-'
  const relative = epochMs > nowMs ? `in ${formatDuration(epochMs - nowMs)}` : `${formatDuration(nowMs - epochMs)} ago`
  return `${formatTime(epochMs)} (${relative})`
}
