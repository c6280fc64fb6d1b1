/**
 * Instances of groups: Attach/Detach/RemoveInstances, DescribeScalingInstances,
 * SetInstancesProtection. Instance lists are `InstanceId.N` (2014-08-28) or `InstanceIds.N`
 * (2022-02-22 and its SDKs); both are read.
 */
import { z } from 'zod'
import { BillowError } from '../../../core/errors.ts'
import type { InstanceId, ScalingGroupId } from '../../../core/ids.ts'
import type { Instance } from '../../../core/types.ts'
import { type EssAction, essAction } from '../action.ts'
import { defined, minuteTime, page, secondTime, wrapped } from '../format.ts'
import { boolean, id, ignore, list, paging } from '../param-types.ts'

/** ESS's limit on instances named in one call. */
const INSTANCES_PER_CALL_MAX = 20
const LOOKUP_IDS_MAX = 100

const instanceLists = {
  InstanceId: list(id, INSTANCES_PER_CALL_MAX).optional(),
  InstanceIds: list(id, INSTANCES_PER_CALL_MAX).optional(),
}

function instanceIdsOf(params: { InstanceId?: string[]; InstanceIds?: string[] }): InstanceId[] {
  const ids = [...(params.InstanceId ?? []), ...(params.InstanceIds ?? [])]
  if (ids.length === 0)
    throw new BillowError('MissingParameter', 'InstanceId.1: is required', { field: 'InstanceId.1' })
  if (ids.length > INSTANCES_PER_CALL_MAX) {
    throw new BillowError('InvalidParameterValue', `InstanceId: at most ${INSTANCES_PER_CALL_MAX} instances per call`, {
      field: 'InstanceId',
    })
  }
  return ids as InstanceId[]
}

/** ESS shows a protected member's lifecycle state as Protected. */
const lifecycleState = (instance: Instance): string =>
  instance.protected && instance.state === 'InService' ? 'Protected' : instance.state

export const essInstance = (instance: Instance) =>
  defined({
    InstanceId: instance.id,
    ScalingGroupId: instance.groupId ?? undefined,
    ScalingConfigurationId: instance.launchConfigurationId ?? undefined,
    ScalingActivityId: instance.activityId ?? undefined,
    LifecycleState: lifecycleState(instance),
    HealthStatus: instance.health,
    CreationType: instance.joinedBy,
    Entrusted: instance.joinedBy === 'AutoCreated',
    ZoneId: instance.zoneId,
    PrivateIpAddress: instance.privateIp,
    InstanceType: instance.instanceType,
    LoadBalancerWeight: 50,
    WarmupState: 'NoNeedWarmup',
    CreationTime: minuteTime(instance.createdAtMs),
    CreatedTime: secondTime(instance.createdAtMs),
  })

export const scalingInstanceActions: readonly EssAction[] = [
  essAction({
    name: 'AttachInstances',
    params: z.strictObject({
      ScalingGroupId: id,
      ...instanceLists,
      ...ignore(['Entrusted', 'LoadBalancerWeight', 'LifecycleHook', 'ClientToken', 'IgnoreInvalidInstance']),
    }),
    async handle(params, context) {
      const activity = await context.services.capacity.attachInstances(
        params.ScalingGroupId as ScalingGroupId,
        instanceIdsOf(params),
      )
      return { ScalingActivityId: activity.id }
    },
  }),

  essAction({
    name: 'DetachInstances',
    params: z.strictObject({
      ScalingGroupId: id,
      ...instanceLists,
      DecreaseDesiredCapacity: boolean.optional(),
      ...ignore(['DetachOption', 'LifecycleHook', 'ClientToken', 'IgnoreInvalidInstance']),
    }),
    async handle(params, context) {
      const activity = await context.services.capacity.detachInstances(
        params.ScalingGroupId as ScalingGroupId,
        instanceIdsOf(params),
        { decrementDesired: params.DecreaseDesiredCapacity ?? true },
      )
      return { ScalingActivityId: activity.id }
    },
  }),

  essAction({
    name: 'RemoveInstances',
    params: z.strictObject({
      ScalingGroupId: id,
      ...instanceLists,
      ...ignore([
        'RemovePolicy',
        'DecreaseDesiredCapacity',
        'LifecycleHook',
        'ClientToken',
        'IgnoreInvalidInstance',
        'StopInstanceTimeout',
      ]),
    }),
    async handle(params, context) {
      // ESS releases removed instances, the manually attached ones too (RemovePolicy=release).
      const activity = await context.services.capacity.removeInstances(
        params.ScalingGroupId as ScalingGroupId,
        instanceIdsOf(params),
        { terminateAttached: true },
      )
      return { ScalingActivityId: activity.id }
    },
  }),

  essAction({
    name: 'SetInstancesProtection',
    params: z.strictObject({ ScalingGroupId: id, ...instanceLists, ProtectedFromScaleIn: boolean }),
    async handle(params, context) {
      await context.services.groups.setProtection(
        params.ScalingGroupId as ScalingGroupId,
        instanceIdsOf(params),
        params.ProtectedFromScaleIn,
      )
      return {}
    },
  }),

  essAction({
    name: 'DescribeScalingInstances',
    params: z.strictObject({
      ScalingGroupId: id.optional(),
      InstanceId: list(id, LOOKUP_IDS_MAX).optional(),
      InstanceIds: list(id, LOOKUP_IDS_MAX).optional(),
      ScalingConfigurationId: id.optional(),
      ScalingActivityId: id.optional(),
      HealthStatus: z.enum(['Healthy', 'Unhealthy']).optional(),
      LifecycleState: z.enum(['InService', 'Pending', 'Removing', 'Protected', 'Standby']).optional(),
      CreationType: z.enum(['AutoCreated', 'Attached']).optional(),
      ...paging,
      ...ignore(['LifecycleStates', 'CreationTypes']),
    }),
    async handle(params, context) {
      const groupId = params.ScalingGroupId as ScalingGroupId | undefined
      if (groupId !== undefined) await context.services.groups.get(groupId)
      const ids = [...(params.InstanceId ?? []), ...(params.InstanceIds ?? [])]
      const members = (
        await context.services.instances.list({
          ...(groupId === undefined ? {} : { groupId }),
          includeTerminated: false,
        })
      ).filter(
        (instance) =>
          instance.groupId !== null &&
          (ids.length === 0 || ids.includes(instance.id)) &&
          (params.ScalingConfigurationId === undefined ||
            instance.launchConfigurationId === params.ScalingConfigurationId) &&
          (params.ScalingActivityId === undefined || instance.activityId === params.ScalingActivityId) &&
          (params.HealthStatus === undefined || instance.health === params.HealthStatus) &&
          (params.LifecycleState === undefined || lifecycleState(instance) === params.LifecycleState) &&
          (params.CreationType === undefined || instance.joinedBy === params.CreationType),
      )
      const { items, fields } = page(members, params)
      return { ...fields, ...wrapped('ScalingInstances', 'ScalingInstance', items.map(essInstance)) }
    },
  }),
]
