/**
 * The window form ("11:00–13:00 add 2"). The rule Billow follows (docs/scheduled-tasks.md):
 *
 *   At the end of the window, the size settings the occurrence's start changed (min, max,
 *   desired; for a rule on a group without desired capacity, the capacity) are set back to what
 *   they were before it, unless the group changed since: another task, a rule (manual, alarm or
 *   scheduled), or an operator's capacity request ran after it, or the settings are no longer
 *   the ones the start left. Then the later change wins and the revert is skipped, with the reason.
 *
 * The revert is itself a scheduled run: it honours cooldown and waits for a busy group within the
 * task's launch expiration. Pure.
 */
import type { Activity, ActivityRequest, ActivityRequestKind, ScheduledCause } from '../types.ts'
import { sameSize } from './group-size.ts'
import { SCHEDULED_RUNS_HONOR_COOLDOWN } from './run-request.ts'

/** Activities that change a group's size on someone's request; fixed-number and recovery only restore it. */
const SIZE_CHANGING_KINDS: readonly ActivityRequestKind[] = [
  'ExecuteRule',
  'SetDesiredCapacity',
  'SetGroupSize',
  'AttachInstances',
  'DetachInstances',
  'RemoveInstances',
]

const changedSomething = (activity: Pick<Activity, 'plan'>): boolean => {
  const plan = activity.plan
  if (!plan) return false
  const sizesDiffer = plan.sizeBefore && plan.sizeAfter ? !sameSize(plan.sizeBefore, plan.sizeAfter) : false
  return sizesDiffer || plan.capacityBefore !== plan.capacityAfter
}

/** The request that undoes `start`, or why there is nothing to undo. */
export function revertRequest(start: Pick<Activity, 'plan'>, scheduled: ScheduledCause): ActivityRequest | string {
  const plan = start.plan
  if (!plan?.sizeBefore || !plan.sizeAfter) return 'the run recorded no size to restore'
  const before = plan.sizeBefore
  const after = plan.sizeAfter
  const minSize = before.minSize !== after.minSize ? before.minSize : null
  const maxSize = before.maxSize !== after.maxSize ? before.maxSize : null
  let desiredCapacity: number | null = null
  if (before.desiredCapacity !== after.desiredCapacity) desiredCapacity = before.desiredCapacity ?? plan.capacityBefore
  else if (plan.capacityAfter !== plan.capacityBefore) desiredCapacity = plan.capacityBefore
  if (minSize === null && maxSize === null && desiredCapacity === null) return 'the run changed nothing to revert'
  return {
    kind: 'SetGroupSize',
    minSize,
    maxSize,
    desiredCapacity,
    honorCooldown: SCHEDULED_RUNS_HONOR_COOLDOWN,
    origin: 'Scheduled',
    scheduled,
    expected: after,
  }
}

/** Why the revert of `start` must not happen (a later activity changed the group), or null. */
export function changedSince(
  start: Pick<Activity, 'id' | 'startedAtMs'>,
  groupActivities: readonly Pick<Activity, 'id' | 'request' | 'status' | 'plan' | 'startedAtMs'>[],
): string | null {
  const startedAtMs = start.startedAtMs ?? 0
  const later = groupActivities.find(
    (activity) =>
      activity.id !== start.id &&
      activity.startedAtMs !== null &&
      activity.startedAtMs >= startedAtMs &&
      SIZE_CHANGING_KINDS.includes(activity.request.kind) &&
      (activity.status === 'InProgress' || activity.status === 'Successful' || activity.status === 'Warning') &&
      changedSomething(activity),
  )
  return later
    ? `activity ${later.id} (${later.request.kind}) changed the group after the task's run: the later change is kept`
    : null
}
