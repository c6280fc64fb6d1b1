/**
 * Reads statistics from the store for alarms and for `billow metrics get`: raw points inside the
 * raw window, one-minute roll-ups beyond it. A group's built-in instance metrics count only
 * instances past warm-up.
 */
import type { AlarmCondition } from '../core/alarms/alarm.ts'
import type { ConditionValue } from '../core/alarms/evaluate-alarm.ts'
import type { ScalingGroupId } from '../core/ids.ts'
import { type Datapoint, datapointsOfRaw, datapointsOfRollUps } from '../core/metrics/datapoints.ts'
import { BUILTIN_NAMESPACE, dimensionsKey, type Statistic } from '../core/metrics/metric.ts'
import { computeStatistic } from '../core/metrics/statistics.ts'
import type { PromqlSource } from '../ports/promql-source.ts'
import type { MetricSeriesFilter, Store } from '../ports/store.ts'

export const RAW_RETENTION_SECONDS_DEFAULT = 24 * 3600
export const ROLL_UP_RETENTION_SECONDS_DEFAULT = 15 * 24 * 3600

export async function datapoints(
  store: Pick<Store, 'metrics'>,
  filter: MetricSeriesFilter,
  statistic: Statistic,
  range: { fromMs: number; toMs: number; periodMs: number; rawFromMs: number },
): Promise<Datapoint[]> {
  // Roll-ups are per minute: a range older than the raw window, or a period of whole minutes
  // that percentiles do not need, reads them instead of up to 86,400 raw points a series a day.
  const useRollUps =
    range.fromMs < range.rawFromMs ||
    (range.periodMs % 60_000 === 0 && range.periodMs >= 300_000 && !statistic.startsWith('p'))
  if (useRollUps) {
    return datapointsOfRollUps(await store.metrics.rollUps(filter, range.fromMs, range.toMs), statistic, range)
  }
  return datapointsOfRaw(await store.metrics.rawValues(filter, range.fromMs, range.toMs), statistic, range)
}

/** The series a condition reads, for the alarm's group. */
export function conditionFilter(groupId: ScalingGroupId, condition: AlarmCondition): MetricSeriesFilter | null {
  const { metric } = condition
  switch (metric.kind) {
    case 'Builtin':
      return { namespace: BUILTIN_NAMESPACE, name: metric.name, groupId, countedOnly: true }
    case 'Custom':
      return { namespace: metric.namespace, name: metric.name, dimensionsKey: dimensionsKey(metric.dimensions) }
    case 'PromQL':
      return null
  }
}

/** A condition's statistic over the period ending at `periodEndMs`. */
export async function conditionValue(
  context: { readonly store: Pick<Store, 'metrics'>; readonly prometheus?: PromqlSource | undefined },
  input: { groupId: ScalingGroupId; condition: AlarmCondition; periodEndMs: number; periodSeconds: number },
): Promise<ConditionValue> {
  const { condition, periodEndMs } = input
  const periodMs = input.periodSeconds * 1000
  if (condition.metric.kind === 'PromQL') {
    if (!context.prometheus) return { error: 'no Prometheus is configured (set BILLOW_PROMETHEUS_URL on the server)' }
    try {
      return await context.prometheus.query(condition.metric.query, periodEndMs)
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) }
    }
  }
  const filter = conditionFilter(input.groupId, condition) as MetricSeriesFilter
  // A sample taken at t covers the second before it (CPU is averaged since the previous sample),
  // so a period is (end − P, end]: the sample taken at the period's end belongs to it.
  const points = await context.store.metrics.rawValues(filter, periodEndMs - periodMs + 1, periodEndMs + 1)
  if (points.length === 0) return null
  return computeStatistic(
    points.map((point) => point.value),
    condition.statistic,
  )
}
