/**
 * Which instances a scale-in takes. The group's policies (up to two) order the candidates; ties
 * go to the zone that has the most instances, so removals keep zones balanced; the last tie is
 * broken by id so that the choice is deterministic. Protected instances are never candidates.
 */
import type { Instance, RemovalPolicyName } from '../types.ts'

export interface RemovalCandidate
  extends Pick<Instance, 'id' | 'zoneId' | 'protected' | 'createdAtMs' | 'launchConfigurationId' | 'state'> {}

/** Negative when `a` should be removed before `b`. */
export type CandidateOrder = (a: RemovalCandidate, b: RemovalCandidate, context: OrderContext) => number

export interface OrderContext {
  /** Creation time of each launch configuration, for OldestScalingConfiguration. */
  readonly launchConfigurationCreatedAtMs: ReadonlyMap<string, number>
}

export interface RemovalPolicy {
  readonly name: RemovalPolicyName
  readonly order: CandidateOrder
}
