import type { RemovalPolicyName } from '../types.ts'
import { newestInstance } from './newest-instance.ts'
import { oldestInstance } from './oldest-instance.ts'
import { oldestScalingConfiguration } from './oldest-scaling-configuration.ts'
import type { OrderContext, RemovalCandidate, RemovalPolicy } from './removal-policy.ts'

export const REMOVAL_POLICY_BY_NAME: Readonly<Record<RemovalPolicyName, RemovalPolicy>> = {
  OldestInstance: oldestInstance,
  NewestInstance: newestInstance,
  OldestScalingConfiguration: oldestScalingConfiguration,
}

/**
 * Picks `count` instances to remove, one at a time so that zone balance is judged on what is
 * left after each pick. Pending instances go before InService ones: they serve nobody yet.
 * Never returns a protected instance; returns fewer than `count` when too few are unprotected.
 */
export function chooseForRemoval(options: {
  readonly candidates: readonly RemovalCandidate[]
  readonly count: number
  readonly policies: readonly RemovalPolicyName[]
  readonly context: OrderContext
}): RemovalCandidate[] {
  const zoneSizes = new Map<string, number>()
  for (const candidate of options.candidates) {
    zoneSizes.set(candidate.zoneId, (zoneSizes.get(candidate.zoneId) ?? 0) + 1)
  }
  const remaining = options.candidates.filter((candidate) => !candidate.protected)
  const chosen: RemovalCandidate[] = []
  const policies = options.policies.map((name) => REMOVAL_POLICY_BY_NAME[name])
  while (chosen.length < options.count && remaining.length > 0) {
    remaining.sort((a, b) => compare(a, b, policies, zoneSizes, options.context))
    const next = remaining.shift() as RemovalCandidate
    chosen.push(next)
    zoneSizes.set(next.zoneId, (zoneSizes.get(next.zoneId) ?? 1) - 1)
  }
  return chosen
}

function compare(
  a: RemovalCandidate,
  b: RemovalCandidate,
  policies: readonly RemovalPolicy[],
  zoneSizes: ReadonlyMap<string, number>,
  context: OrderContext,
): number {
  const pendingFirst = Number(b.state === 'Pending') - Number(a.state === 'Pending')
  if (pendingFirst !== 0) return pendingFirst
  for (const policy of policies) {
    const order = policy.order(a, b, context)
    if (order !== 0) return order
  }
  const zoneOrder = (zoneSizes.get(b.zoneId) ?? 0) - (zoneSizes.get(a.zoneId) ?? 0)
  if (zoneOrder !== 0) return zoneOrder
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}
