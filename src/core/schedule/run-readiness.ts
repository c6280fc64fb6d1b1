/**
 * Whether a group can take a scheduled run now. A refused run is not an error: it waits and is
 * tried again each tick until its launch expiration passes (ESS's LaunchExpirationTime). Pure.
 *
 * - The group is busy (an activity runs or waits in its queue): wait, so the run is planned from
 *   the capacity the group settles at, not queued behind work of unknown length.
 * - The group is in cooldown and the run honours it (scheduled runs are automatic): wait.
 * - The group is not Active (disabled by an operator): wait; it may be enabled in time.
 * - The group is gone: skip.
 */
import { isInCooldown } from '../cooldown.ts'
import type { Activity, ScalingGroup } from '../types.ts'

export type RunReadiness =
  | { readonly kind: 'ready' }
  | { readonly kind: 'wait'; readonly reason: string }
  | { readonly kind: 'skip'; readonly reason: string }

export function runReadiness(input: {
  readonly group: ScalingGroup | undefined
  /** The group's Queued and InProgress activities. */
  readonly busy: readonly Pick<Activity, 'id' | 'status'>[]
  readonly honorCooldown: boolean
  readonly nowMs: number
}): RunReadiness {
  const { group, busy, nowMs } = input
  if (!group) return { kind: 'skip', reason: 'the scaling group no longer exists' }
  if (group.state !== 'Active') return { kind: 'wait', reason: `the group is ${group.state}` }
  const [first] = busy
  if (first) {
    const verb = first.status === 'InProgress' ? 'is in progress' : 'waits in the queue'
    return { kind: 'wait', reason: `activity ${first.id} ${verb}` }
  }
  if (input.honorCooldown && isInCooldown(group, nowMs)) {
    return {
      kind: 'wait',
      reason: `the group is in cooldown until ${new Date(group.cooldownUntilMs ?? 0).toISOString()}`,
    }
  }
  return { kind: 'ready' }
}
