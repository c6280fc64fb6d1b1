/**
 * A scheduler picks the backend for the next request among the eligible ones (healthy, not
 * draining). One small file per algorithm; schedulerFor maps the load balancer's word to it.
 */
import type { BalancingAlgorithm } from '../../../core/load-balancer.ts'
import { createLeastConnections } from './least-connections.ts'
import { createRoundRobin } from './round-robin.ts'
import { createWeightedRoundRobin } from './weighted-round-robin.ts'

export interface SchedulableBackend {
  /** Stable identity across calls (the instance id), for algorithms that keep state per backend. */
  readonly key: string
  /** 1–100. */
  readonly weight: number
  /** Requests (HTTP) or connections (TCP) in flight to this backend now. */
  readonly activeConnections: number
}

export interface Scheduler {
  /** The backend for the next request; undefined only when `candidates` is empty. */
  pick<T extends SchedulableBackend>(candidates: readonly T[]): T | undefined
}

export function schedulerFor(algorithm: BalancingAlgorithm): Scheduler {
  switch (algorithm) {
    case 'RoundRobin':
      return createRoundRobin()
    case 'WeightedRoundRobin':
      return createWeightedRoundRobin()
    case 'LeastConnections':
      return createLeastConnections()
    default: {
      const unknown: never = algorithm
      throw new Error(`unknown balancing algorithm ${String(unknown)}`)
    }
  }
}
