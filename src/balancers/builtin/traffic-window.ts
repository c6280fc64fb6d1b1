/**
 * Traffic figures of one listener over a sliding window: requests per second, error rate and
 * latency percentiles. One slot per second, each with a log-scaled latency histogram, so that
 * recording costs a few additions on the request path and percentiles need no sorting.
 */

/** Length of the stats window, in seconds: long enough to smooth bursts, short enough to follow a scale-out. */
export const STATS_WINDOW_SECONDS = 10
/** Ratio between the bounds of neighbouring latency buckets: percentiles are within 4 % of the truth. */
const LATENCY_BUCKET_GROWTH = 1.04
/** Upper bound of the first latency bucket, in milliseconds; faster answers land in it. */
const LATENCY_FLOOR_MS = 0.01
/** Latency the histogram still tells apart, in milliseconds; slower answers land in the last bucket. */
const LATENCY_CEILING_MS = 600_000
const LATENCY_BUCKETS = Math.ceil(Math.log(LATENCY_CEILING_MS / LATENCY_FLOOR_MS) / Math.log(LATENCY_BUCKET_GROWTH)) + 1
const LOG_GROWTH = Math.log(LATENCY_BUCKET_GROWTH)

interface Slot {
  /** Whole seconds since the epoch this slot counts; another value means the slot is stale. */
  second: number
  requests: number
  errors: number
  readonly latency: Uint32Array
}

export interface TrafficSnapshot {
  readonly requestsPerSecond: number
  readonly latencyP50Ms: number | null
  readonly latencyP99Ms: number | null
  readonly errorRatePercent: number
}

export interface TrafficWindow {
  /** Counts one finished request (or TCP connection); `latencyMs` null when there is none to tell. */
  record(nowMs: number, latencyMs: number | null, failed: boolean): void
  snapshot(nowMs: number): TrafficSnapshot
}

export function latencyBucket(latencyMs: number): number {
  if (!(latencyMs > LATENCY_FLOOR_MS)) return 0
  return Math.min(LATENCY_BUCKETS - 1, Math.ceil(Math.log(latencyMs / LATENCY_FLOOR_MS) / LOG_GROWTH))
}

/** The upper bound of a bucket, in milliseconds, rounded to a microsecond. */
export const bucketUpperBoundMs = (bucket: number): number =>
  Math.round(LATENCY_FLOOR_MS * LATENCY_BUCKET_GROWTH ** bucket * 1000) / 1000

export function createTrafficWindow(startedAtMs: number): TrafficWindow {
  const slots: Slot[] = Array.from({ length: STATS_WINDOW_SECONDS }, () => ({
    second: -1,
    requests: 0,
    errors: 0,
    latency: new Uint32Array(LATENCY_BUCKETS),
  }))

  function slotFor(second: number): Slot {
    const slot = slots[second % STATS_WINDOW_SECONDS] as Slot
    if (slot.second !== second) {
      slot.second = second
      slot.requests = 0
      slot.errors = 0
      slot.latency.fill(0)
    }
    return slot
  }

  function percentile(merged: Uint32Array, count: number, share: number): number | null {
    if (count === 0) return null
    const rank = Math.max(1, Math.ceil(count * share))
    let seen = 0
    for (let bucket = 0; bucket < merged.length; bucket++) {
      seen += merged[bucket] ?? 0
      if (seen >= rank) return bucketUpperBoundMs(bucket)
    }
    return bucketUpperBoundMs(merged.length - 1)
  }

  return {
    record(nowMs, latencyMs, failed) {
      const slot = slotFor(Math.floor(nowMs / 1000))
      slot.requests++
      if (failed) slot.errors++
      if (latencyMs !== null) {
        const bucket = latencyBucket(latencyMs)
        slot.latency[bucket] = (slot.latency[bucket] ?? 0) + 1
      }
    },
    snapshot(nowMs) {
      const currentSecond = Math.floor(nowMs / 1000)
      const merged = new Uint32Array(LATENCY_BUCKETS)
      let requests = 0
      let errors = 0
      let timed = 0
      for (const slot of slots) {
        if (slot.second <= currentSecond - STATS_WINDOW_SECONDS || slot.second > currentSecond) continue
        requests += slot.requests
        errors += slot.errors
        for (let bucket = 0; bucket < LATENCY_BUCKETS; bucket++) {
          const count = slot.latency[bucket] ?? 0
          merged[bucket] = (merged[bucket] ?? 0) + count
          timed += count
        }
      }
      // A proxy that started a moment ago has not seen a whole window; divide by what it has seen.
      const coveredSeconds = Math.min(STATS_WINDOW_SECONDS, Math.max(1, (nowMs - startedAtMs) / 1000))
      return {
        requestsPerSecond: Math.round((requests / coveredSeconds) * 100) / 100,
        latencyP50Ms: percentile(merged, timed, 0.5),
        latencyP99Ms: percentile(merged, timed, 0.99),
        errorRatePercent: requests === 0 ? 0 : Math.round((errors / requests) * 10_000) / 100,
      }
    },
  }
}
