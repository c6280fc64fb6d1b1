/**
 * Metrics: custom points pushed by applications (queue lengths, QPS, …) and statistic queries
 * over built-in and custom series, per instance or aggregated over a group.
 */
import type { InstanceId, ScalingGroupId } from '../core/ids.ts'
import { DATAPOINTS_MAX, type Datapoint } from '../core/metrics/datapoints.ts'
import {
  BUILTIN_NAMESPACE,
  dimensionsKey,
  isBuiltinMetric,
  type MetricPoint,
  type Statistic,
} from '../core/metrics/metric.ts'
import { datapoints, RAW_RETENTION_SECONDS_DEFAULT } from '../engine/metric-query.ts'
import type { MetricSeriesFilter } from '../ports/store.ts'
import { requireMetricName } from './alarms.ts'
import type { ServiceContext } from './context.ts'
import { invalid, notFound, requireIntegerIn } from './validate.ts'

/** Points one push may carry: a batch, not a stream. */
export const PUT_POINTS_MAX = 1_000
export const DIMENSIONS_MAX = 10
/** A pushed point may be this far ahead of the server's clock (clients' clocks drift). */
const FUTURE_SKEW_MS = 5 * 60_000

export interface CustomPointInput {
  readonly namespace: string
  readonly name: string
  readonly dimensions?: Readonly<Record<string, string>>
  readonly value: number
  /** Epoch milliseconds; absent: now. */
  readonly timestampMs?: number
}

/** Traffic older than this is not reported as current. */
const TRAFFIC_FRESH_MS = 5_000

export interface Overview {
  readonly groupCount: number
  readonly instancesByState: Readonly<Record<string, number>>
  /** Open activities only: finished ones are history, counted by the activity list. */
  readonly activitiesByStatus: Readonly<Record<string, number>>
  readonly alarms: readonly { readonly id: string; readonly groupId: string; readonly state: string }[]
  readonly traffic: readonly { readonly groupId: string; readonly name: string; readonly value: number }[]
}

export interface MetricQuery {
  readonly namespace?: string
  readonly name: string
  readonly groupId?: ScalingGroupId
  readonly instanceId?: InstanceId
  readonly dimensions?: Readonly<Record<string, string>>
  readonly statistic: Statistic
  readonly periodSeconds: number
  /** Absent: an hour before toMs. */
  readonly fromMs?: number
  /** Absent: now. */
  readonly toMs?: number
}

/** A query without a range shows the last hour. */
const DEFAULT_RANGE_MS = 3_600_000

export function metricService(context: ServiceContext) {
  const { store, clock } = context
  return {
    put: async (points: readonly CustomPointInput[]): Promise<{ accepted: number }> => {
      if (points.length === 0) invalid('points', 'name at least one point')
      if (points.length > PUT_POINTS_MAX) invalid('points', `at most ${PUT_POINTS_MAX} a request`)
      const nowMs = clock.nowMs()
      const records = points.map((point, index): MetricPoint => {
        const field = `points.${index}`
        requireMetricName(`${field}.namespace`, point.namespace)
        requireMetricName(`${field}.name`, point.name)
        if (point.namespace === BUILTIN_NAMESPACE)
          invalid(`${field}.namespace`, `"${BUILTIN_NAMESPACE}" is Billow's own`)
        if (!Number.isFinite(point.value)) invalid(`${field}.value`, 'must be a finite number')
        const dimensions = point.dimensions ?? {}
        if (Object.keys(dimensions).length > DIMENSIONS_MAX) invalid(`${field}.dimensions`, `at most ${DIMENSIONS_MAX}`)
        for (const [key, value] of Object.entries(dimensions)) {
          requireMetricName(`${field}.dimensions`, key)
          if (typeof value !== 'string' || value.length > 256)
            invalid(`${field}.dimensions.${key}`, 'a string of at most 256 characters')
        }
        const atMs = point.timestampMs ?? nowMs
        if (
          !Number.isInteger(atMs) ||
          atMs > nowMs + FUTURE_SKEW_MS ||
          atMs < nowMs - RAW_RETENTION_SECONDS_DEFAULT * 1000
        ) {
          invalid(`${field}.timestampMs`, 'must be within the last 24 hours and at most 5 minutes ahead')
        }
        return {
          namespace: point.namespace,
          name: point.name,
          groupId: null,
          instanceId: null,
          dimensions,
          atMs,
          value: point.value,
          counted: true,
        }
      })
      await store.metrics.insert(records)
      return { accepted: records.length }
    },

    get: async (query: MetricQuery): Promise<{ datapoints: readonly Datapoint[] }> => {
      const namespace = query.namespace ?? BUILTIN_NAMESPACE
      if (namespace === BUILTIN_NAMESPACE) {
        if (!isBuiltinMetric(query.name)) invalid('name', `unknown built-in metric "${query.name}"`)
        if (query.groupId === undefined) invalid('groupId', 'built-in metrics are per group')
        if (!(await store.groups.get(query.groupId)))
          notFound('ScalingGroupNotFound', 'scaling group', query.groupId, 'groupId')
      }
      requireIntegerIn('periodSeconds', query.periodSeconds, 1, 86_400)
      const toMs = query.toMs ?? clock.nowMs()
      const fromMs = query.fromMs ?? toMs - DEFAULT_RANGE_MS
      if (!(fromMs < toMs)) invalid('fromMs', 'must be before toMs')
      if ((toMs - fromMs) / (query.periodSeconds * 1000) > DATAPOINTS_MAX) {
        invalid('periodSeconds', `the range holds more than ${DATAPOINTS_MAX} periods; ask for a longer period`)
      }
      const filter: MetricSeriesFilter = {
        namespace,
        name: query.name,
        ...(query.groupId === undefined ? {} : { groupId: query.groupId }),
        ...(query.instanceId === undefined
          ? { countedOnly: namespace === BUILTIN_NAMESPACE }
          : { instanceId: query.instanceId }),
        ...(query.dimensions === undefined ? {} : { dimensionsKey: dimensionsKey(query.dimensions) }),
      }
      const rawFromMs = clock.nowMs() - RAW_RETENTION_SECONDS_DEFAULT * 1000
      return {
        datapoints: await datapoints(store, filter, query.statistic, {
          fromMs,
          toMs,
          periodMs: query.periodSeconds * 1000,
          rawFromMs,
        }),
      }
    },

    names: (filter: { groupId?: ScalingGroupId; namespace?: string }) => store.metrics.names(filter),

    /** Billow's own figures for /metrics: counts by state, and each balancer's latest traffic. */
    overview: async (): Promise<Overview> => {
      const groups = await store.groups.list()
      const instances = await store.instances.list({ states: ['Pending', 'InService', 'Standby', 'Removing'] })
      const instancesByState: Record<string, number> = {}
      for (const instance of instances) instancesByState[instance.state] = (instancesByState[instance.state] ?? 0) + 1
      const activitiesByStatus: Record<string, number> = {}
      for (const status of ['Queued', 'InProgress', 'Successful', 'Warning', 'Failed', 'Rejected'] as const) {
        activitiesByStatus[status] = await store.activities.countWithStatus(status)
      }
      const alarms = (await store.alarms.list({})).map((alarm) => ({
        id: alarm.id,
        groupId: alarm.groupId,
        state: alarm.state,
      }))
      const nowMs = clock.nowMs()
      const traffic: { groupId: string; name: string; value: number }[] = []
      for (const group of groups) {
        for (const name of ['RequestsPerSecond', 'ActiveConnections', 'ServerErrorsPerSecond', 'LatencyMs'] as const) {
          const points = await store.metrics.rawValues(
            { namespace: BUILTIN_NAMESPACE, name, groupId: group.id },
            nowMs - TRAFFIC_FRESH_MS,
            nowMs + 1,
          )
          const latest = points.at(-1)
          if (latest) traffic.push({ groupId: group.id, name, value: latest.value })
        }
      }
      return { groupCount: groups.length, instancesByState, activitiesByStatus, alarms, traffic }
    },
  }
}
