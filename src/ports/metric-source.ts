/**
 * Where per-instance usage comes from. Implementations: metrics/procfs (the process provider's
 * instances, read from /proc), metrics/sim (the virtual world: usage set by the test or the
 * simulator's load model).
 *
 * Contract: `sample` is called about once a second with the instances the engine wants; it
 * returns usage for those it could read (CPU averaged since its previous sample of the same
 * instance) and leaves out the rest: a missing instance is "no data", never zero. It does not
 * throw for one unreadable instance.
 */
import type { InstanceId } from '../core/ids.ts'

export interface UsageTarget {
  readonly instanceId: InstanceId
  /** The instance type's vCPUs: CPU is reported as a percentage of them. */
  readonly vcpu: number
  readonly memoryBytes: number
}

export interface InstanceUsage {
  readonly instanceId: InstanceId
  /** Percentage of the instance type's vCPUs; may pass 100 where limits are not enforced. */
  readonly cpuPercent: number
  readonly memoryUsedBytes: number
}

export interface MetricSource {
  readonly name: string
  sample(targets: readonly UsageTarget[], nowMs: number): Promise<readonly InstanceUsage[]>
}
