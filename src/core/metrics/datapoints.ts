/**
 * Statistics per period over a time range: the points are put in buckets aligned to multiples of
 * the period and each bucket gets its statistic; an empty bucket's is null (no data). Pure.
 */
import type { Statistic } from './metric.ts'
import { computeStatistic, type RollUp, statisticOfRollUps } from './statistics.ts'

export interface Datapoint {
  /** Start of the period. */
  readonly atMs: number
  readonly value: number | null
}

/** A range yields at most this many datapoints; a longer one needs a longer period. */
export const DATAPOINTS_MAX = 1_440

export function bucketStarts(fromMs: number, toMs: number, periodMs: number): number[] {
  const starts: number[] = []
  for (let start = Math.floor(fromMs / periodMs) * periodMs; start < toMs; start += periodMs) {
    starts.push(start)
    if (starts.length >= DATAPOINTS_MAX) break
  }
  return starts
}

export function datapointsOfRaw(
  points: readonly { readonly atMs: number; readonly value: number }[],
  statistic: Statistic,
  range: { readonly fromMs: number; readonly toMs: number; readonly periodMs: number },
): Datapoint[] {
  const buckets = new Map<number, number[]>()
  for (const point of points) {
    const start = Math.floor(point.atMs / range.periodMs) * range.periodMs
    const bucket = buckets.get(start) ?? []
    bucket.push(point.value)
    buckets.set(start, bucket)
  }
  return bucketStarts(range.fromMs, range.toMs, range.periodMs).map((atMs) => ({
    atMs,
    value: buckets.has(atMs) ? computeStatistic(buckets.get(atMs) ?? [], statistic) : null,
  }))
}

export function datapointsOfRollUps(
  rollUps: readonly (RollUp & { readonly minuteMs: number })[],
  statistic: Statistic,
  range: { readonly fromMs: number; readonly toMs: number; readonly periodMs: number },
): Datapoint[] {
  const buckets = new Map<number, RollUp[]>()
  for (const rollUp of rollUps) {
    const start = Math.floor(rollUp.minuteMs / range.periodMs) * range.periodMs
    buckets.set(start, [...(buckets.get(start) ?? []), rollUp])
  }
  return bucketStarts(range.fromMs, range.toMs, range.periodMs).map((atMs) => ({
    atMs,
    value: buckets.has(atMs) ? statisticOfRollUps(buckets.get(atMs) ?? [], statistic) : null,
  }))
}
