/**
 * How a group serves load, per instance type: an instance serves `rpsAtFullCpu` requests per
 * second at 100% CPU. Load spreads evenly over the InService instances (what a round-robin
 * balancer does), so
 *
 *   utilisation u = load / (InService × rpsAtFullCpu)         CPU% = 100 × min(u, 1)
 *   latency = baseLatencyMs / (1 − u)  for u < 0.95           (an M/M/1 queue's response time)
 *           = baseLatencyMs × 20 × u   for u ≥ 0.95           (overloaded: queues grow; capped shape)
 *   served = min(load, InService × rpsAtFullCpu)
 *
 * The same model decides the demand SPEC's metrics compare with: the fewest instances that keep
 * CPU at or below the SLO's limit.
 */

export interface InstanceTypeModel {
  readonly rpsAtFullCpu: number
  readonly baseLatencyMs: number
}

/** Utilisation beyond which the queueing formula is replaced by a bounded overload line. */
const QUEUE_UTILISATION_MAX = 0.95

export interface ServedLoad {
  readonly cpuPercent: number
  readonly latencyMs: number
  readonly servedRps: number
  readonly utilisation: number
}

export function serve(model: InstanceTypeModel, loadRps: number, inService: number): ServedLoad {
  if (inService === 0) {
    return loadRps > 0
      ? { cpuPercent: 100, latencyMs: model.baseLatencyMs * 20, servedRps: 0, utilisation: Number.POSITIVE_INFINITY }
      : { cpuPercent: 0, latencyMs: model.baseLatencyMs, servedRps: 0, utilisation: 0 }
  }
  const capacityRps = inService * model.rpsAtFullCpu
  const utilisation = loadRps / capacityRps
  const latencyMs =
    utilisation < QUEUE_UTILISATION_MAX
      ? model.baseLatencyMs / (1 - utilisation)
      : model.baseLatencyMs * 20 * Math.max(1, utilisation)
  return {
    cpuPercent: 100 * Math.min(1, utilisation),
    latencyMs,
    servedRps: Math.min(loadRps, capacityRps),
    utilisation,
  }
}

/** The fewest instances that keep CPU at or below `cpuLimitPercent` under `loadRps`. */
export const demandInstances = (model: InstanceTypeModel, loadRps: number, cpuLimitPercent: number): number =>
  loadRps <= 0 ? 0 : Math.ceil(loadRps / (model.rpsAtFullCpu * (cpuLimitPercent / 100)) - 1e-9)
