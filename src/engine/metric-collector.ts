/**
 * Collects the built-in metrics once a tick (every second): per instance CPU and memory from the
 * MetricSource; per group its capacity and, from each attached balancer's stats, request rate,
 * active connections, latency and 5xx rate. Writes them as points; prunes old ones each minute.
 *
 * An instance counts toward group statistics once it is InService and its group's health-check
 * grace period since launch is over (its warm-up): a new instance's start-up CPU would otherwise
 * fire the alarm that launched it again.
 */

import { DEFAULT_INSTANCE_TYPES } from '../core/cloud-instance-types.ts'
import type { LoadBalancerId, ScalingGroupId } from '../core/ids.ts'
import type { LoadBalancerStats } from '../core/load-balancer.ts'
import { BUILTIN_NAMESPACE, type BuiltinMetricName, type MetricPoint } from '../core/metrics/metric.ts'
import { type Instance, isLive, type ScalingGroup } from '../core/types.ts'
import type { UsageTarget } from '../ports/metric-source.ts'
import type { EngineContext } from './engine-context.ts'
import { RAW_RETENTION_SECONDS_DEFAULT, ROLL_UP_RETENTION_SECONDS_DEFAULT } from './metric-query.ts'

/** Pruning runs at most this often; deleting a minute of points at a time keeps each delete short. */
const PRUNE_INTERVAL_MS = 60_000
/** The decision log is kept as long as raw points: it explains what they show. */
const DECISIONS_RETENTION_SECONDS = RAW_RETENTION_SECONDS_DEFAULT

export class MetricCollector {
  readonly #context: EngineContext
  #prunedAtMs = Number.NEGATIVE_INFINITY

  constructor(context: EngineContext) {
    this.#context = context
  }

  async step(): Promise<void> {
    const { store, clock } = this.#context
    const nowMs = clock.nowMs()
    const groups = await store.groups.list()
    const membersByGroup = new Map<ScalingGroupId, readonly Instance[]>()
    for (const group of groups) {
      membersByGroup.set(group.id, (await store.instances.list({ groupId: group.id })).filter(isLive))
    }
    const points: MetricPoint[] = []
    const graceMsByGroup = new Map(groups.map((group) => [group.id, group.healthCheckGracePeriodSeconds * 1000]))
    points.push(...(await this.#instancePoints([...membersByGroup.values()].flat(), graceMsByGroup, nowMs)))
    const statsCache = new Map<string, LoadBalancerStats | null>()
    for (const group of groups) {
      const members = membersByGroup.get(group.id) ?? []
      points.push(...capacityPoints(group, members, nowMs))
      points.push(...(await this.#balancerPoints(group, members, nowMs, statsCache)))
    }
    if (points.length > 0) await store.metrics.insert(points)
    if (nowMs - this.#prunedAtMs >= PRUNE_INTERVAL_MS) await this.#prune(nowMs)
  }

  async #instancePoints(
    members: readonly Instance[],
    graceMsByGroup: ReadonlyMap<ScalingGroupId | null, number>,
    nowMs: number,
  ): Promise<MetricPoint[]> {
    const source = this.#context.metrics
    if (!source || members.length === 0) return []
    const catalog = this.#context.instanceTypes ?? DEFAULT_INSTANCE_TYPES
    const targets: UsageTarget[] = []
    for (const member of members) {
      const type = catalog.find(member.instanceType)
      if (type) targets.push({ instanceId: member.id, vcpu: type.vcpu, memoryBytes: type.memoryBytes })
    }
    const byId = new Map(members.map((member) => [member.id, member]))
    const points: MetricPoint[] = []
    for (const usage of await source.sample(targets, nowMs)) {
      const member = byId.get(usage.instanceId)
      const target = targets.find((candidate) => candidate.instanceId === usage.instanceId)
      if (!member || !target) continue
      const point = (name: BuiltinMetricName, value: number): MetricPoint => ({
        namespace: BUILTIN_NAMESPACE,
        name,
        groupId: member.groupId,
        instanceId: member.id,
        dimensions: {},
        atMs: nowMs,
        value,
        counted: counts(member, graceMsByGroup.get(member.groupId) ?? 0, nowMs),
      })
      points.push(
        point('CpuUtilization', usage.cpuPercent),
        point('MemoryUsedBytes', usage.memoryUsedBytes),
        point('MemoryUtilization', (100 * usage.memoryUsedBytes) / target.memoryBytes),
      )
    }
    return points
  }

  async #balancerPoints(
    group: ScalingGroup,
    members: readonly Instance[],
    nowMs: number,
    cache: Map<string, LoadBalancerStats | null>,
  ): Promise<MetricPoint[]> {
    const points: MetricPoint[] = []
    const inService = members.filter((member) => member.state === 'InService').length
    for (const attachment of group.loadBalancers) {
      const stats = await this.#stats(attachment.loadBalancerId, cache)
      if (!stats) continue
      const requestsPerSecond = sum(stats.listeners.map((listener) => listener.requestsPerSecond))
      const point = (name: BuiltinMetricName, value: number): MetricPoint => ({
        namespace: BUILTIN_NAMESPACE,
        name,
        groupId: group.id,
        instanceId: null,
        dimensions: { loadBalancerId: attachment.loadBalancerId },
        atMs: nowMs,
        value,
        counted: true,
      })
      points.push(
        point('RequestsPerSecond', requestsPerSecond),
        point('ActiveConnections', sum(stats.listeners.map((listener) => listener.activeConnections))),
        point(
          'ServerErrorsPerSecond',
          sum(stats.listeners.map((listener) => (listener.requestsPerSecond * listener.errorRatePercent) / 100)),
        ),
      )
      if (inService > 0) points.push(point('RequestsPerSecondPerInstance', requestsPerSecond / inService))
      const latencies = stats.listeners.flatMap((listener) =>
        listener.latencyP99Ms === null ? [] : [listener.latencyP99Ms],
      )
      if (latencies.length > 0) points.push(point('LatencyMs', Math.max(...latencies)))
    }
    return points
  }

  async #stats(loadBalancerId: LoadBalancerId, cache: Map<string, LoadBalancerStats | null>) {
    if (cache.has(loadBalancerId)) return cache.get(loadBalancerId) ?? null
    let stats: LoadBalancerStats | null = null
    const record = await this.#context.store.loadBalancers.get(loadBalancerId)
    const balancer = record ? this.#context.balancers[record.driver] : undefined
    if (record && balancer) {
      try {
        stats = await balancer.stats(record.id)
      } catch (error) {
        this.#context.log.warn('metrics.balancer-unavailable', { loadBalancerId, error: String(error) })
      }
    }
    cache.set(loadBalancerId, stats)
    return stats
  }

  async #prune(nowMs: number): Promise<void> {
    const retention = this.#context.metricRetention ?? {
      rawSeconds: RAW_RETENTION_SECONDS_DEFAULT,
      rollUpSeconds: ROLL_UP_RETENTION_SECONDS_DEFAULT,
    }
    const { store } = this.#context
    await store.metrics.prune(nowMs - retention.rawSeconds * 1000, nowMs - retention.rollUpSeconds * 1000)
    await store.decisions.deleteBefore(nowMs - DECISIONS_RETENTION_SECONDS * 1000)
    this.#prunedAtMs = nowMs
  }
}

/** InService and past the group's grace period since launch: booting and warming up do not count. */
const counts = (member: Instance, graceMs: number, nowMs: number): boolean =>
  member.state === 'InService' && nowMs - member.createdAtMs >= graceMs

function capacityPoints(group: ScalingGroup, members: readonly Instance[], nowMs: number): MetricPoint[] {
  const point = (name: BuiltinMetricName, value: number): MetricPoint => ({
    namespace: BUILTIN_NAMESPACE,
    name,
    groupId: group.id,
    instanceId: null,
    dimensions: {},
    atMs: nowMs,
    value,
    counted: true,
  })
  return [
    point('DesiredCapacity', group.desiredCapacity ?? members.length),
    point('InServiceInstances', members.filter((member) => member.state === 'InService').length),
    point('PendingInstances', members.filter((member) => member.state === 'Pending').length),
  ]
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0)
