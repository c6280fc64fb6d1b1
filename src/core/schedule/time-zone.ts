/**
 * Time-zone maths on IANA names, with the rules of issue 5 for daylight-saving transitions:
 *
 * - a wall-clock time that does not exist that day (spring forward: 02:30 in New York on the
 *   second Sunday of March) resolves to the first valid instant after it, the transition itself
 *   (03:00 local);
 * - a wall-clock time that exists twice (fall back: 01:30 in New York on the first Sunday of
 *   November) resolves to its first occurrence only, so it runs once.
 *
 * "Wall-clock milliseconds" are a local date and time written as if it were UTC
 * (Date.UTC(year, month, day, hour, minute)): a timeline without transitions on which recurrences
 * can add days and compare times. Pure: Intl carries the time-zone database; nothing here reads
 * the clock.
 */

export const MINUTE_MS = 60_000
export const HOUR_MS = 60 * MINUTE_MS
export const DAY_MS = 24 * HOUR_MS

/** Formatters are costly to build and immutable; one per zone is kept. Bounded: zones are few. */
const FORMATTERS_MAX = 512
const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const cached = formatters.get(timeZone)
  if (cached) return cached
  const formatter = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  })
  if (formatters.size >= FORMATTERS_MAX) formatters.clear()
  formatters.set(timeZone, formatter)
  return formatter
}

/** IANA names only (Area/Location, or UTC): offsets such as "+08:00" do not follow daylight saving. */
const IANA_NAME = /^(UTC|[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)+)$/

/** The zone's canonical spelling ("asia/shanghai" → "Asia/Shanghai"), or undefined when it is not a known IANA zone. */
export function canonicalTimeZone(timeZone: string): string | undefined {
  if (!IANA_NAME.test(timeZone)) return undefined
  try {
    return formatterFor(timeZone).resolvedOptions().timeZone
  } catch {
    // RangeError: Intl knows no such zone. The caller names the field; there is nothing to chain.
    return undefined
  }
}

/** The local date and time of `instantMs` in `timeZone`, as wall-clock milliseconds. */
export function wallClockMs(instantMs: number, timeZone: string): number {
  const wholeSecondMs = Math.floor(instantMs / 1000) * 1000
  const parts = formatterFor(timeZone).formatToParts(wholeSecondMs)
  const field = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((part) => part.type === type)?.value ?? Number.NaN)
  const wall = Date.UTC(
    field('year'),
    field('month') - 1,
    field('day'),
    field('hour'),
    field('minute'),
    field('second'),
  )
  return wall + (instantMs - wholeSecondMs)
}

/** How far local time is ahead of UTC at `instantMs`, in milliseconds (Shanghai: +8 h). */
export const utcOffsetMs = (instantMs: number, timeZone: string): number => wallClockMs(instantMs, timeZone) - instantMs

/**
 * The instant at which the wall clock in `timeZone` shows `wallMs`: the earlier one when it shows
 * it twice, the transition when it never does (see the rules above).
 */
export function instantOfWallClock(wallMs: number, timeZone: string): number {
  // Offsets a day either side bracket any instant that could show wallMs (offsets stay within ±14 h).
  const offsets = new Set([-DAY_MS, 0, DAY_MS].map((shiftMs) => utcOffsetMs(wallMs + shiftMs, timeZone)))
  const candidates = [...offsets]
    .map((offsetMs) => wallMs - offsetMs)
    .filter((instantMs) => wallClockMs(instantMs, timeZone) === wallMs)
    .sort((a, b) => a - b)
  const earliest = candidates[0]
  if (earliest !== undefined) return earliest
  return firstInstantShowingAtLeast(wallMs, timeZone, Math.min(...offsets), Math.max(...offsets))
}

/**
 * In a gap, the wall clock jumps over `wallMs`: the first instant whose wall-clock time is at or
 * after it is the transition. Wall-clock time only moves forward inside this bracket (a gap is
 * never inside a fall back), so a binary search finds it to the millisecond.
 */
function firstInstantShowingAtLeast(
  wallMs: number,
  timeZone: string,
  offsetMinMs: number,
  offsetMaxMs: number,
): number {
  let before = wallMs - offsetMaxMs - 1
  let after = wallMs - offsetMinMs
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2)
    if (wallClockMs(middle, timeZone) >= wallMs) after = middle
    else before = middle
  }
  return after
}

/**
 * How far local time can shift around `instantMs` (the size of a nearby transition), in ms: 0 far
 * from any transition. A search for occurrences after an instant starts this much earlier on the
 * wall clock, so an occurrence in a repeated hour is not overlooked.
 */
export function nearbyShiftMs(instantMs: number, timeZone: string): number {
  const offsets = [-DAY_MS, 0, DAY_MS].map((shiftMs) => utcOffsetMs(instantMs + shiftMs, timeZone))
  return Math.max(...offsets) - Math.min(...offsets)
}
