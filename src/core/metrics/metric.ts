/**
 * Metric points and the statistics alarms ask of them. A point belongs to a series named by
 * namespace, metric name and dimensions; the built-in ones carry the group (and the instance or
 * balancer) as dimensions, so a group statistic aggregates every series of the group. Pure.
 */
import type { InstanceId, ScalingGroupId } from '../ids.ts'

/** Billow's own metrics; pushed metrics use any other namespace. */
export const BUILTIN_NAMESPACE = 'billow'

/**
 * Built-in metric names. Per instance: CPU (% of the instance type's vCPUs) and memory. Per group
 * (from its balancers): request rate, active connections, latency, 5xx rate. Group capacity.
 */
export const BUILTIN_METRICS = [
  'CpuUtilization',
  'MemoryUsedBytes',
  'MemoryUtilization',
  'RequestsPerSecond',
  'RequestsPerSecondPerInstance',
  'ActiveConnections',
  'LatencyMs',
  'ServerErrorsPerSecond',
  'DesiredCapacity',
  'InServiceInstances',
  'PendingInstances',
] as const
export type BuiltinMetricName = (typeof BUILTIN_METRICS)[number]

export const isBuiltinMetric = (name: string): name is BuiltinMetricName =>
  (BUILTIN_METRICS as readonly string[]).includes(name)

export const STATISTICS = ['Average', 'Maximum', 'Minimum', 'Sum', 'SampleCount', 'p50', 'p90', 'p99'] as const
export type Statistic = (typeof STATISTICS)[number]

export interface MetricPoint {
  readonly namespace: string
  readonly name: string
  /** The group the point belongs to, when it does: group statistics aggregate over it. */
  readonly groupId: ScalingGroupId | null
  readonly instanceId: InstanceId | null
  /** Other dimensions (custom metrics, a load balancer's id); keys sorted when stored. */
  readonly dimensions: Readonly<Record<string, string>>
  readonly atMs: number
  readonly value: number
  /**
   * Whether the point counts toward group statistics: an instance still booting (Pending) or
   * inside its warm-up does not, so a new instance's start-up CPU cannot trigger another scale-out.
   */
  readonly counted: boolean
}

/** Dimensions in one canonical text, so equal sets compare equal in the store. */
export const dimensionsKey = (dimensions: Readonly<Record<string, string>>): string =>
  JSON.stringify(Object.fromEntries(Object.entries(dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))
