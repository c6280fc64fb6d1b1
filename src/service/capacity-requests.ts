/**
 * Requests that change a group's capacity or membership. Each is checked now, as far as it can
 * be, then queued; the engine plans it when it reaches the head of the queue (bounds and
 * cooldown are checked again then, since they may have changed while it waited).
 */

import { currentCapacity, ruleOutcome } from '../core/capacity.ts'
import { BillowError } from '../core/errors.ts'
import type { InstanceId, ScalingGroupId } from '../core/ids.ts'
import { isLive, type ScalingRule } from '../core/types.ts'
import { enqueue, requireMembers } from './activities.ts'
import { idempotent } from './client-tokens.ts'
import type { ServiceContext } from './context.ts'
import { validateAdjustment } from './rules.ts'
import { notFound } from './validate.ts'

export function capacityRequestService(context: ServiceContext) {
  const { store } = context
  return {
    setDesiredCapacity: (groupId: ScalingGroupId, desiredCapacity: number, options: { honorCooldown: boolean }) =>
      store.transaction(async (tx) => {
        const group = (await tx.groups.get(groupId)) ?? notFound('ScalingGroupNotFound', 'scaling group', groupId)
        if (!Number.isInteger(desiredCapacity) || desiredCapacity < group.minSize || desiredCapacity > group.maxSize) {
          throw new BillowError(
            'IncorrectCapacity.DesiredCapacity',
            `desiredCapacity ${desiredCapacity} is outside [minSize ${group.minSize}, maxSize ${group.maxSize}]`,
            { field: 'desiredCapacity' },
          )
        }
        return enqueue(context, tx, {
          groupId,
          request: { kind: 'SetDesiredCapacity', desiredCapacity, honorCooldown: options.honorCooldown },
          cause: `a user requested desired capacity ${desiredCapacity}`,
        })
      }),

    /**
     * A one-off adjustment, like executing a rule that is not stored (ESS ScaleWithAdjustment):
     * the target is computed now from the group's current capacity, clamped to its bounds, and
     * queued as a desired-capacity change; cooldown neither blocks it nor starts. With
     * `refuseOutOfBounds` a target outside [min, max] is an error instead (Tencent's ScaleOut).
     */
    adjust: (
      groupId: ScalingGroupId,
      adjustment: Pick<ScalingRule, 'adjustmentType' | 'adjustmentValue' | 'minAdjustmentMagnitude'>,
      options: { clientToken?: string; refuseOutOfBounds?: boolean } = {},
    ) =>
      store.transaction(async (tx) => {
        const group = (await tx.groups.get(groupId)) ?? notFound('ScalingGroupNotFound', 'scaling group', groupId)
        validateAdjustment(adjustment)
        const live = (await tx.instances.list({ groupId })).filter(isLive).length
        const outcome = ruleOutcome(adjustment, group, currentCapacity(group, live))
        if (options.refuseOutOfBounds && outcome.clampedBy === 'MaxSize') {
          throw new BillowError(
            'IncorrectCapacity.MaxSize',
            `capacity ${outcome.capacityRequested} would be above max size ${group.maxSize}`,
            { field: 'adjustmentValue' },
          )
        }
        if (options.refuseOutOfBounds && outcome.clampedBy === 'MinSize') {
          throw new BillowError(
            'IncorrectCapacity.MinSize',
            `capacity ${outcome.capacityRequested} would be below min size ${group.minSize}`,
            { field: 'adjustmentValue' },
          )
        }
        const fingerprint = `${groupId} ${adjustment.adjustmentType} ${adjustment.adjustmentValue} ${adjustment.minAdjustmentMagnitude}`
        return idempotent(context, tx, { operation: 'adjust', clientToken: options.clientToken, fingerprint }, () =>
          enqueue(context, tx, {
            groupId,
            request: { kind: 'SetDesiredCapacity', desiredCapacity: outcome.capacityAfter, honorCooldown: false },
            cause: `a user requested an adjustment of ${adjustment.adjustmentValue} (${adjustment.adjustmentType}): capacity ${outcome.capacityBefore} → ${outcome.capacityAfter}${outcome.clampedBy ? `, limited by ${outcome.clampedBy}` : ''}`,
          }),
        )
      }),

    attachInstances: (groupId: ScalingGroupId, instanceIds: readonly InstanceId[]) =>
      store.transaction(async (tx) => {
        if (instanceIds.length === 0) {
          throw new BillowError('MissingParameter', 'instanceIds: name at least one instance', { field: 'instanceIds' })
        }
        for (const [index, id] of instanceIds.entries()) {
          const instance = await tx.instances.get(id)
          const field = `instanceIds.${index}`
          if (!instance || instance.state === 'Terminated') {
            throw new BillowError('InstanceNotFound', `${field}: instance ${id} does not exist`, { field })
          }
          if (instance.groupId !== null || instance.state !== 'InService') {
            throw new BillowError(
              'InstanceStateInvalid',
              `${field}: instance ${id} must be a running standalone instance (it is ${instance.state}${instance.groupId ? ` in ${instance.groupId}` : ''})`,
              { field },
            )
          }
        }
        return enqueue(context, tx, {
          groupId,
          request: { kind: 'AttachInstances', instanceIds },
          cause: `a user requested to attach ${instanceIds.join(', ')}`,
        })
      }),

    detachInstances: (
      groupId: ScalingGroupId,
      instanceIds: readonly InstanceId[],
      options: { decrementDesired: boolean },
    ) =>
      store.transaction(async (tx) => {
        await requireMembers(tx, groupId, instanceIds)
        return enqueue(context, tx, {
          groupId,
          request: { kind: 'DetachInstances', instanceIds, decrementDesired: options.decrementDesired },
          cause: `a user requested to detach ${instanceIds.join(', ')}`,
        })
      }),

    removeInstances: (
      groupId: ScalingGroupId,
      instanceIds: readonly InstanceId[],
      options: { terminateAttached: boolean },
    ) =>
      store.transaction(async (tx) => {
        await requireMembers(tx, groupId, instanceIds)
        return enqueue(context, tx, {
          groupId,
          request: { kind: 'RemoveInstances', instanceIds, terminateAttached: options.terminateAttached },
          cause: `a user requested to remove ${instanceIds.join(', ')}`,
        })
      }),
  }
}
