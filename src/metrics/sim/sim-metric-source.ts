/**
 * Usage in the virtual world: the test or the simulator's load model sets each instance's CPU;
 * an instance with nothing set reports nothing (no data), as a real one that cannot be read.
 */
import type { InstanceId } from '../../core/ids.ts'
import type { InstanceUsage, MetricSource, UsageTarget } from '../../ports/metric-source.ts'

export class SimMetricSource implements MetricSource {
  readonly name = 'sim'
  readonly #cpuPercent = new Map<InstanceId, number>()
  /** Every instance asked about without its own value reports this one, when set. */
  #defaultCpuPercent: number | null = null

  setCpu(instanceId: InstanceId, cpuPercent: number): void {
    this.#cpuPercent.set(instanceId, cpuPercent)
  }

  /** null: instances without their own value report nothing. */
  setDefaultCpu(cpuPercent: number | null): void {
    this.#defaultCpuPercent = cpuPercent
  }

  sample(targets: readonly UsageTarget[]): Promise<readonly InstanceUsage[]> {
    const usages: InstanceUsage[] = []
    for (const target of targets) {
      const cpuPercent = this.#cpuPercent.get(target.instanceId) ?? this.#defaultCpuPercent
      if (cpuPercent === null) continue
      usages.push({ instanceId: target.instanceId, cpuPercent, memoryUsedBytes: target.memoryBytes / 2 })
    }
    return Promise.resolve(usages)
  }
}
