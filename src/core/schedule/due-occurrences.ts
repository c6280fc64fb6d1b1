/**
 * Which of the occurrences found since the scheduler last looked get a run. Pure.
 *
 * - An occurrence still inside its launch expiration runs; when several are (the server was down
 *   across more than one), only the latest runs and the earlier ones are recorded as Missed:
 *   occurrences are never replayed in a burst.
 * - An occurrence past its launch expiration is recorded as Missed.
 */

/**
 * An occurrence found this long after its time still counts as on time, whatever its launch
 * expiration (0 s is allowed): the engine looks once a tick (1 s), and a slow tick takes longer.
 */
export const ON_TIME_GRACE_MS = 5_000

export interface DueOccurrences {
  /** The occurrence to run now; null when none is still inside its launch expiration. */
  readonly due: number | null
  /** Occurrences that get no run, oldest first: past their launch expiration, or superseded by `due`. */
  readonly missed: readonly number[]
}

/** How long after its time an occurrence may still run, in ms. */
export const launchWindowMs = (launchExpirationSeconds: number): number =>
  Math.max(launchExpirationSeconds * 1000, ON_TIME_GRACE_MS)

/** `occurrences` are in the past or now, oldest first. */
export function dueOccurrences(
  occurrences: readonly number[],
  nowMs: number,
  launchWindowMsValue: number,
): DueOccurrences {
  const latest = occurrences.at(-1)
  const due = latest !== undefined && nowMs <= latest + launchWindowMsValue ? latest : null
  return { due, missed: due === null ? occurrences : occurrences.slice(0, -1) }
}
