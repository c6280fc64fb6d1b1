/**
 * A scheduled min / max / desired change, decided when its activity starts (plan.ts turns the
 * outcome into launches and removals). Pure.
 *
 * - Unset fields keep the group's value. The new bounds must hold (min ≤ max); a desired capacity
 *   outside them is pulled inside, and the description says so.
 * - Scheduled executions are automatic: they honour cooldown when the request says so.
 * - A revert names the size the task's run left (`expected`); any other size means another task,
 *   rule or operator changed the group since, and the revert is refused, keeping their change.
 */
import { clamp, targetCapacity } from '../capacity.ts'
import { isInCooldown } from '../cooldown.ts'
import type { ActivityRequest, GroupSize, ScalingGroup } from '../types.ts'

export type GroupSizeDecision =
  | { readonly kind: 'reject'; readonly reason: string }
  | {
      readonly kind: 'resize'
      readonly size: GroupSize
      readonly capacityAfter: number
      readonly description: string
    }

export const sizeOf = (group: GroupSize): GroupSize => ({
  minSize: group.minSize,
  maxSize: group.maxSize,
  desiredCapacity: group.desiredCapacity,
})

export const sameSize = (a: GroupSize, b: GroupSize): boolean =>
  a.minSize === b.minSize && a.maxSize === b.maxSize && a.desiredCapacity === b.desiredCapacity

/** "min 2, max 10, desired 4". */
export const describeSize = (size: GroupSize): string =>
  `min ${size.minSize}, max ${size.maxSize}, desired ${size.desiredCapacity ?? 'unset'}`

export function decideGroupSize(input: {
  readonly request: Extract<ActivityRequest, { kind: 'SetGroupSize' }>
  readonly group: ScalingGroup
  readonly liveCount: number
  readonly nowMs: number
}): GroupSizeDecision {
  const { request, group, nowMs } = input
  const before = sizeOf(group)
  if (request.expected !== null && !sameSize(before, request.expected)) {
    return {
      kind: 'reject',
      reason: `the group changed since the task's run (it is ${describeSize(before)}; the run left ${describeSize(request.expected)}): the later change is kept`,
    }
  }
  const minSize = request.minSize ?? group.minSize
  const maxSize = request.maxSize ?? group.maxSize
  if (minSize > maxSize) return { kind: 'reject', reason: `min size ${minSize} would be above max size ${maxSize}` }
  if (request.honorCooldown && isInCooldown(group, nowMs)) {
    return {
      kind: 'reject',
      reason: `the group is in cooldown until ${new Date(group.cooldownUntilMs ?? 0).toISOString()}`,
    }
  }
  const asked = request.desiredCapacity ?? group.desiredCapacity
  const desiredCapacity = asked === null ? null : clamp(asked, minSize, maxSize)
  const size: GroupSize = { minSize, maxSize, desiredCapacity }
  const pulled = asked !== null && asked !== desiredCapacity ? ` (asked desired ${asked}, kept within the bounds)` : ''
  const verb = request.scheduled.phase === 'Revert' ? 'revert the scheduled change' : 'scheduled size change'
  return {
    kind: 'resize',
    size,
    capacityAfter: targetCapacity(size, input.liveCount),
    description: `${verb}: ${describeSize(before)} → ${describeSize(size)}${pulled}`,
  }
}
