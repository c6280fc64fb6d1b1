/**
 * Instances of groups: Attach/Detach/RemoveInstances, DescribeAutoScalingInstances,
 * SetInstancesProtection, ScaleIn/ScaleOutInstances.
 */
import { z } from 'zod'
import type { InstanceId, ScalingGroupId } from '../../../core/ids.ts'
import type { Instance } from '../../../core/types.ts'
import { type TencentAction, tencentAction } from '../action.ts'
import { filters, id, integer, isoTime, list, page, paging, passes, readFilters } from '../param-types.ts'

/** Tencent's limit on instances named in one call. */
const INSTANCES_PER_CALL_MAX = 100
const SCALE_NUMBER_MAX = 2_000

const instanceIds = list(id, INSTANCES_PER_CALL_MAX)

function lifeCycleState(instance: Instance): string {
  switch (instance.state) {
    case 'Pending':
      return instance.joinedBy === 'Attached' ? 'ATTACHING' : 'CREATING'
    case 'InService':
      return 'IN_SERVICE'
    case 'Standby':
      return 'STANDBY'
    case 'Removing':
      return instance.removalAction === 'detach' ? 'DETACHING' : 'TERMINATING'
    case 'Terminated':
      return 'TERMINATED'
  }
}

export function tencentInstance(instance: Instance, groupNames: ReadonlyMap<string, string>) {
  return {
    InstanceId: instance.id,
    AutoScalingGroupId: instance.groupId ?? '',
    AutoScalingGroupName: instance.groupId ? (groupNames.get(instance.groupId) ?? '') : '',
    LaunchConfigurationId: instance.launchConfigurationId ?? '',
    LifeCycleState: lifeCycleState(instance),
    HealthStatus: instance.health === 'Healthy' ? 'HEALTHY' : 'UNHEALTHY',
    ProtectedFromScaleIn: instance.protected,
    Zone: instance.zoneId,
    CreationType: instance.joinedBy === 'AutoCreated' ? 'AUTO_CREATION' : 'MANUAL_ATTACHING',
    AddTime: isoTime(instance.createdAtMs),
    InstanceType: instance.instanceType,
    PrivateIpAddress: instance.privateIp,
    VersionNumber: 1,
    WarmupStatus: 'NO_NEED_WARMUP',
  }
}

export const autoScalingInstanceActions: readonly TencentAction[] = [
  tencentAction({
    name: 'AttachInstances',
    params: z.strictObject({ AutoScalingGroupId: id, InstanceIds: instanceIds }),
    async handle(params, context) {
      const activity = await context.services.capacity.attachInstances(
        params.AutoScalingGroupId as ScalingGroupId,
        params.InstanceIds as InstanceId[],
      )
      return { ActivityId: activity.id }
    },
  }),

  tencentAction({
    name: 'DetachInstances',
    params: z.strictObject({ AutoScalingGroupId: id, InstanceIds: instanceIds }),
    async handle(params, context) {
      const activity = await context.services.capacity.detachInstances(
        params.AutoScalingGroupId as ScalingGroupId,
        params.InstanceIds as InstanceId[],
        { decrementDesired: true },
      )
      return { ActivityId: activity.id }
    },
  }),

  tencentAction({
    name: 'RemoveInstances',
    params: z.strictObject({ AutoScalingGroupId: id, InstanceIds: instanceIds }),
    async handle(params, context) {
      // Tencent terminates what it removes, attached instances included.
      const activity = await context.services.capacity.removeInstances(
        params.AutoScalingGroupId as ScalingGroupId,
        params.InstanceIds as InstanceId[],
        { terminateAttached: true },
      )
      return { ActivityId: activity.id }
    },
  }),

  tencentAction({
    name: 'SetInstancesProtection',
    params: z.strictObject({ AutoScalingGroupId: id, InstanceIds: instanceIds, ProtectedFromScaleIn: z.boolean() }),
    async handle(params, context) {
      await context.services.groups.setProtection(
        params.AutoScalingGroupId as ScalingGroupId,
        params.InstanceIds as InstanceId[],
        params.ProtectedFromScaleIn,
      )
      return {}
    },
  }),

  tencentAction({
    name: 'ScaleOutInstances',
    params: z.strictObject({ AutoScalingGroupId: id, ScaleOutNumber: integer(1, SCALE_NUMBER_MAX) }),
    async handle(params, context) {
      const activity = await context.services.capacity.adjust(
        params.AutoScalingGroupId as ScalingGroupId,
        {
          adjustmentType: 'QuantityChangeInCapacity',
          adjustmentValue: params.ScaleOutNumber,
          minAdjustmentMagnitude: null,
        },
        { refuseOutOfBounds: true },
      )
      return { ActivityId: activity.id }
    },
  }),

  tencentAction({
    name: 'ScaleInInstances',
    params: z.strictObject({ AutoScalingGroupId: id, ScaleInNumber: integer(1, SCALE_NUMBER_MAX) }),
    errors: { 'IncorrectCapacity.MinSize': 'ResourceInsufficient.AutoScalingGroupBelowMinSize' },
    async handle(params, context) {
      const activity = await context.services.capacity.adjust(
        params.AutoScalingGroupId as ScalingGroupId,
        {
          adjustmentType: 'QuantityChangeInCapacity',
          adjustmentValue: -params.ScaleInNumber,
          minAdjustmentMagnitude: null,
        },
        { refuseOutOfBounds: true },
      )
      return { ActivityId: activity.id }
    },
  }),

  tencentAction({
    name: 'DescribeAutoScalingInstances',
    params: z.strictObject({
      InstanceIds: z.array(id).max(INSTANCES_PER_CALL_MAX).optional(),
      Filters: filters,
      ...paging,
    }),
    async handle(params, context) {
      const selected = readFilters(
        params.Filters,
        ['instance-id', 'auto-scaling-group-id', 'private-ip-address'],
        params.InstanceIds,
      )
      const ids = params.InstanceIds ?? []
      const groupIds = selected.get('auto-scaling-group-id')
      const single = groupIds?.length === 1 ? (groupIds[0] as ScalingGroupId) : undefined
      const members = (
        await context.services.instances.list({ ...(single ? { groupId: single } : {}), includeTerminated: false })
      ).filter(
        (instance) =>
          instance.groupId !== null &&
          (ids.length === 0 || ids.includes(instance.id)) &&
          passes(selected, 'instance-id', instance.id) &&
          passes(selected, 'auto-scaling-group-id', instance.groupId) &&
          passes(selected, 'private-ip-address', instance.privateIp),
      )
      const names = new Map((await context.services.groups.list()).map((group) => [group.id as string, group.name]))
      const { items, TotalCount } = page(members, params)
      return { TotalCount, AutoScalingInstanceSet: items.map((instance) => tencentInstance(instance, names)) }
    },
  }),
]
