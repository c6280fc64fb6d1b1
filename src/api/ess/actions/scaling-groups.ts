/** Scaling groups: Create/Modify/Delete/DescribeScalingGroups, Enable/DisableScalingGroup. */
import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import type {
  DatabaseId,
  InstanceId,
  LaunchConfigurationId,
  LoadBalancerId,
  ScalingGroupId,
} from '../../../core/ids.ts'
import { REMOVAL_POLICIES, type Zone } from '../../../core/types.ts'
import type { GroupView } from '../../../service/groups.ts'
import { type EssAction, type EssContext, essAction } from '../action.ts'
import { defined, minuteTime, page, wrapped } from '../format.ts'
import { boolean, id, ignore, integer, jsonIdList, list, paging, text } from '../param-types.ts'

/** ESS's own bound on a group's size; Billow's service checks its smaller one. */
const SIZE_MAX = 2_000
const VSWITCHES_MAX = 8
/** ESS's default weight of an instance behind a load balancer. */
const LOAD_BALANCER_WEIGHT_DEFAULT = 50
const LOOKUP_IDS_MAX = 20

const vSwitchId = z.string().regex(/^vsw-[0-9a-z-]{1,60}$/, 'must be a vSwitch id (vsw-…)')
const removalPolicy = z.enum(REMOVAL_POLICIES)

/** Accepted and ignored in Create/ModifyScalingGroup: docs/api-ess.md says why for each. */
const IGNORED_GROUP_FIELDS = [
  'MultiAZPolicy',
  'HealthCheckType',
  'HealthCheckTypes',
  'GroupDeletionProtection',
  'Tag',
  'Tags',
  'ScalingPolicy',
  'OnDemandBaseCapacity',
  'OnDemandPercentageAboveBaseCapacity',
  'SpotInstancePools',
  'SpotInstanceRemedy',
  'CompensateWithOnDemand',
  'AzBalance',
  'AllocationStrategy',
  'SpotAllocationStrategy',
  'GroupType',
  'ResourceGroupId',
  'MaxInstanceLifetime',
  'CapacityOptions',
  'Description',
  'StopInstanceTimeout',
  'DesiredCapacityMode',
]

const groupFields = {
  ScalingGroupName: text(64).optional(),
  MinSize: integer(0, SIZE_MAX),
  MaxSize: integer(0, SIZE_MAX),
  DesiredCapacity: integer(0, SIZE_MAX).optional(),
  DefaultCooldown: integer(0, 86_400).optional(),
  RemovalPolicy: list(removalPolicy, 2).optional(),
  VSwitchId: vSwitchId.optional(),
  VSwitchIds: list(vSwitchId, VSWITCHES_MAX).optional(),
}

export function zonesOf(params: { VSwitchId?: string; VSwitchIds?: string[] }, context: EssContext): Zone[] {
  const ids = [...new Set([...(params.VSwitchIds ?? []), ...(params.VSwitchId ? [params.VSwitchId] : [])])]
  return (ids.length > 0 ? ids : ['default']).map((vswitch) => context.catalog.zoneFor(vswitch))
}

export async function essGroup(group: GroupView, context: EssContext) {
  const members = await context.services.instances.list({ groupId: group.id, includeTerminated: false })
  const count = (predicate: (member: (typeof members)[number]) => boolean) => members.filter(predicate).length
  const live = count((member) => member.state !== 'Removing')
  const vswitches = group.zones.map((zone) => context.catalog.subnetIdFor(zone, 'vsw-'))
  return defined({
    ScalingGroupId: group.id,
    ScalingGroupName: group.name,
    RegionId: context.region,
    LifecycleState: group.state,
    MinSize: group.minSize,
    MaxSize: group.maxSize,
    DesiredCapacity: group.desiredCapacity ?? undefined,
    DefaultCooldown: group.defaultCooldownSeconds,
    TotalCapacity: live,
    ActiveCapacity: count((member) => member.state === 'InService'),
    PendingCapacity: count((member) => member.state === 'Pending'),
    RemovingCapacity: count((member) => member.state === 'Removing'),
    StandbyCapacity: count((member) => member.state === 'Standby'),
    ProtectedCapacity: count((member) => member.protected && member.state !== 'Removing'),
    TotalInstanceCount: members.length,
    ActiveScalingConfigurationId: group.launchConfigurationId ?? undefined,
    CreationTime: minuteTime(group.createdAtMs),
    VSwitchId: vswitches[0],
    ...wrapped('VSwitchIds', 'VSwitchId', vswitches),
    ...wrapped('RemovalPolicies', 'RemovalPolicy', group.removalPolicies),
    ...wrapped(
      'LoadBalancerIds',
      'LoadBalancerId',
      (group.loadBalancers ?? []).map((attachment) => attachment.loadBalancerId),
    ),
    ...wrapped('DBInstanceIds', 'DBInstanceId', group.databaseIds ?? []),
    MultiAZPolicy: 'BALANCE',
    GroupDeletionProtection: false,
    IsElasticStrengthInAlarm: false,
  })
}

const loadBalancersOf = (ids: readonly string[] | undefined) =>
  ids?.map((loadBalancerId) => ({
    loadBalancerId: loadBalancerId as LoadBalancerId,
    port: null,
    weight: LOAD_BALANCER_WEIGHT_DEFAULT,
  }))

export const scalingGroupActions: readonly EssAction[] = [
  essAction({
    name: 'CreateScalingGroup',
    params: z.strictObject({
      ...groupFields,
      LoadBalancerIds: jsonIdList(50).optional(),
      DBInstanceIds: jsonIdList(8).optional(),
      ...ignore([
        ...IGNORED_GROUP_FIELDS,
        'ClientToken',
        'LaunchTemplateId',
        'LaunchTemplateVersion',
        'InstanceId',
        'VServerGroup',
        'LifecycleHook',
        'NotificationConfiguration',
        'LaunchTemplateOverride',
        'AlbServerGroup',
        'ServerGroup',
        'DBInstance',
        'ContainerGroupId',
        'SyncAlarmRuleToCms',
        'CustomPolicyARN',
      ]),
    }),
    errors: { NameConflict: { code: 'InvalidScalingGroupName.Duplicate', status: 400 } },
    async handle(params, context) {
      const group = await context.services.groups.create({
        name: params.ScalingGroupName ?? `scaling-group-${randomBytes(4).toString('hex')}`,
        minSize: params.MinSize,
        maxSize: params.MaxSize,
        desiredCapacity: params.DesiredCapacity ?? null,
        ...(params.DefaultCooldown === undefined ? {} : { defaultCooldownSeconds: params.DefaultCooldown }),
        zones: zonesOf(params, context),
        ...(params.RemovalPolicy ? { removalPolicies: params.RemovalPolicy } : {}),
        launchConfigurationId: null,
        ...(params.LoadBalancerIds ? { loadBalancers: loadBalancersOf(params.LoadBalancerIds) } : {}),
        ...(params.DBInstanceIds ? { databaseIds: params.DBInstanceIds as DatabaseId[] } : {}),
        // ESS groups start Inactive; EnableScalingGroup makes them scale.
        state: 'Inactive',
      })
      return { ScalingGroupId: group.id }
    },
  }),

  essAction({
    name: 'ModifyScalingGroup',
    params: z.strictObject({
      ScalingGroupId: id,
      ...groupFields,
      MinSize: groupFields.MinSize.optional(),
      MaxSize: groupFields.MaxSize.optional(),
      ActiveScalingConfigurationId: id.optional(),
      ...ignore([...IGNORED_GROUP_FIELDS, 'LaunchTemplateId', 'LaunchTemplateVersion', 'LaunchTemplateOverride']),
    }),
    async handle(params, context) {
      await context.services.groups.modify(params.ScalingGroupId as ScalingGroupId, {
        name: params.ScalingGroupName,
        minSize: params.MinSize,
        maxSize: params.MaxSize,
        desiredCapacity: params.DesiredCapacity,
        defaultCooldownSeconds: params.DefaultCooldown,
        removalPolicies: params.RemovalPolicy,
        zones: params.VSwitchIds || params.VSwitchId ? zonesOf(params, context) : undefined,
        launchConfigurationId: params.ActiveScalingConfigurationId as LaunchConfigurationId | undefined,
      })
      return {}
    },
  }),

  essAction({
    name: 'DeleteScalingGroup',
    params: z.strictObject({ ScalingGroupId: id, ForceDelete: boolean.optional() }),
    async handle(params, context) {
      await context.services.groups.remove(params.ScalingGroupId as ScalingGroupId, {
        force: params.ForceDelete ?? false,
      })
      return {}
    },
  }),

  essAction({
    name: 'EnableScalingGroup',
    params: z.strictObject({
      ScalingGroupId: id,
      ActiveScalingConfigurationId: id.optional(),
      InstanceId: list(id, 20).optional(),
      ...ignore(['LoadBalancerWeight', 'LaunchTemplateId', 'LaunchTemplateVersion', 'LaunchTemplateOverride']),
    }),
    async handle(params, context) {
      const groupId = params.ScalingGroupId as ScalingGroupId
      if (params.ActiveScalingConfigurationId !== undefined) {
        await context.services.launchConfigurations.get(params.ActiveScalingConfigurationId as LaunchConfigurationId)
        await context.services.groups.modify(groupId, {
          launchConfigurationId: params.ActiveScalingConfigurationId as LaunchConfigurationId,
        })
      }
      await context.services.groups.setState(groupId, 'Active')
      if (params.InstanceId) await context.services.capacity.attachInstances(groupId, params.InstanceId as InstanceId[])
      return {}
    },
  }),

  essAction({
    name: 'DisableScalingGroup',
    params: z.strictObject({ ScalingGroupId: id }),
    async handle(params, context) {
      await context.services.groups.setState(params.ScalingGroupId as ScalingGroupId, 'Inactive')
      return {}
    },
  }),

  essAction({
    name: 'DescribeScalingGroups',
    params: z.strictObject({
      ScalingGroupId: list(id, LOOKUP_IDS_MAX).optional(),
      ScalingGroupIds: list(id, LOOKUP_IDS_MAX).optional(),
      ScalingGroupName: z.union([text(64), list(text(64), LOOKUP_IDS_MAX)]).optional(),
      ScalingGroupNames: list(text(64), LOOKUP_IDS_MAX).optional(),
      ...paging,
      ...ignore(['Tag', 'GroupType', 'ResourceGroupId']),
    }),
    async handle(params, context) {
      const ids = [...(params.ScalingGroupId ?? []), ...(params.ScalingGroupIds ?? [])]
      const names = [
        ...(typeof params.ScalingGroupName === 'string' ? [params.ScalingGroupName] : (params.ScalingGroupName ?? [])),
        ...(params.ScalingGroupNames ?? []),
      ]
      const groups = (await context.services.groups.list()).filter(
        (group) => (ids.length === 0 || ids.includes(group.id)) && (names.length === 0 || names.includes(group.name)),
      )
      const { items, fields } = page(groups, params)
      const described = []
      for (const group of items) described.push(await essGroup(group, context))
      return { ...fields, ...wrapped('ScalingGroups', 'ScalingGroup', described) }
    },
  }),
]
