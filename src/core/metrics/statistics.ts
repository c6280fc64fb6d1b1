/**
 * A statistic over the values of one period, as the clouds compute them: Average, Maximum,
 * Minimum, Sum, SampleCount, and percentiles by the nearest-rank method. No values: no statistic
 * (null), never zero, so a period with no data cannot look like a breach. Pure.
 */
import type { Statistic } from './metric.ts'

export function computeStatistic(values: readonly number[], statistic: Statistic): number | null {
  if (statistic === 'SampleCount') return values.length
  if (values.length === 0) return null
  switch (statistic) {
    case 'Average':
      return sum(values) / values.length
    case 'Sum':
      return sum(values)
    case 'Maximum':
      return values.reduce((a, b) => Math.max(a, b))
    case 'Minimum':
      return values.reduce((a, b) => Math.min(a, b))
    case 'p50':
      return percentile(values, 50)
    case 'p90':
      return percentile(values, 90)
    case 'p99':
      return percentile(values, 99)
  }
}

/** Nearest rank: the smallest value with at least `rank` percent of the values at or below it. */
export function percentile(values: readonly number[], rank: number): number | null {
  if (values.length === 0) return null
  const sorted = values.toSorted((a, b) => a - b)
  const index = Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1)
  return sorted[index] ?? null
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0)

/** Roll-ups keep count, sum, minimum and maximum per minute; percentiles need the raw points. */
export interface RollUp {
  readonly sampleCount: number
  readonly sum: number
  readonly minimum: number
  readonly maximum: number
}

export function statisticOfRollUps(rollUps: readonly RollUp[], statistic: Statistic): number | null {
  const sampleCount = rollUps.reduce((total, rollUp) => total + rollUp.sampleCount, 0)
  if (statistic === 'SampleCount') return sampleCount
  if (sampleCount === 0) return null
  switch (statistic) {
    case 'Average':
      return rollUps.reduce((total, rollUp) => total + rollUp.sum, 0) / sampleCount
    case 'Sum':
      return rollUps.reduce((total, rollUp) => total + rollUp.sum, 0)
    case 'Maximum':
      return Math.max(...rollUps.map((rollUp) => rollUp.maximum))
    case 'Minimum':
      return Math.min(...rollUps.map((rollUp) => rollUp.minimum))
    case 'p50':
    case 'p90':
    case 'p99':
      return null
  }
}
