/**
 * A scheduled task's action as a request gives it, checked against its group: a rule of the
 * same group (by id or ARI), or a min / max / desired change that can hold.
 */
import { ruleIdFromReference } from '../core/ari.ts'
import { BillowError } from '../core/errors.ts'
import type { ScalingGroupId } from '../core/ids.ts'
import type { ScheduledAction } from '../core/schedule/scheduled-task.ts'
import type { Collections } from '../ports/store.ts'
import { GROUP_SIZE_MAX } from './groups.ts'
import { invalid, requireIntegerIn } from './validate.ts'

export type ScheduledActionInput =
  | { readonly kind: 'ExecuteRule'; readonly ruleId: string }
  | {
      readonly kind: 'SetGroupSize'
      readonly minSize?: number | null
      readonly maxSize?: number | null
      readonly desiredCapacity?: number | null
    }

export async function scheduledActionFrom(
  tx: Collections,
  groupId: ScalingGroupId,
  input: ScheduledActionInput,
): Promise<ScheduledAction> {
  if (input.kind === 'ExecuteRule') {
    const ruleId = ruleIdFromReference(input.ruleId)
    const rule = ruleId ? await tx.rules.get(ruleId) : undefined
    if (!rule) {
      throw new BillowError('ScalingRuleNotFound', `action.ruleId: scaling rule ${input.ruleId} does not exist`, {
        field: 'action.ruleId',
      })
    }
    if (rule.groupId !== groupId) {
      invalid(
        'action.ruleId',
        `scaling rule ${rule.id} belongs to group ${rule.groupId}, not to the task's group ${groupId}`,
      )
    }
    return { kind: 'ExecuteRule', ruleId: rule.id }
  }
  const action: ScheduledAction = {
    kind: 'SetGroupSize',
    minSize: input.minSize ?? null,
    maxSize: input.maxSize ?? null,
    desiredCapacity: input.desiredCapacity ?? null,
  }
  if (action.minSize === null && action.maxSize === null && action.desiredCapacity === null) {
    throw new BillowError('MissingParameter', 'action: set at least one of minSize, maxSize, desiredCapacity', {
      field: 'action',
    })
  }
  for (const field of ['minSize', 'maxSize', 'desiredCapacity'] as const) {
    const value = action[field]
    if (value !== null) requireIntegerIn(`action.${field}`, value, 0, GROUP_SIZE_MAX)
  }
  if (action.minSize !== null && action.maxSize !== null && action.minSize > action.maxSize) {
    throw new BillowError(
      'IncorrectCapacity.MinSize',
      `action.minSize: ${action.minSize} is above maxSize ${action.maxSize}`,
      {
        field: 'action.minSize',
      },
    )
  }
  const { desiredCapacity, minSize, maxSize } = action
  if (
    desiredCapacity !== null &&
    ((minSize !== null && desiredCapacity < minSize) || (maxSize !== null && desiredCapacity > maxSize))
  ) {
    throw new BillowError(
      'IncorrectCapacity.DesiredCapacity',
      `action.desiredCapacity: ${desiredCapacity} is outside [${minSize ?? 'min'}, ${maxSize ?? 'max'}]`,
      { field: 'action.desiredCapacity' },
    )
  }
  return action
}
