/**
 * Auto scaling groups: Create/Modify/Delete/DescribeAutoScalingGroups, Enable/Disable, and
 * ModifyDesiredCapacity. Tencent groups are created enabled; subnet ids (or zone names) map to
 * Billow zones through the cloud catalog; the VPC id is checked for form only.
 */
import { z } from 'zod'
import type { LaunchConfigurationId, LoadBalancerId, ScalingGroupId } from '../../../core/ids.ts'
import type { RemovalPolicyName, Zone } from '../../../core/types.ts'
import type { GroupView } from '../../../service/groups.ts'
import { type TencentAction, type TencentContext, tencentAction } from '../action.ts'
import {
  filters,
  id,
  ignore,
  integer,
  isoTime,
  list,
  page,
  paging,
  passes,
  readFilters,
  subnetId,
  text,
  vpcId,
} from '../param-types.ts'

const SIZE_MAX = 2_000
const SUBNETS_MAX = 8
const LOOKUP_IDS_MAX = 100
/** Tencent's default weight of an instance behind a load balancer. */
const LOAD_BALANCER_WEIGHT_DEFAULT = 10

const TERMINATION_POLICIES = { OLDEST_INSTANCE: 'OldestInstance', NEWEST_INSTANCE: 'NewestInstance' } as const
const terminationPolicy = z.enum(['OLDEST_INSTANCE', 'NEWEST_INSTANCE'])
const TERMINATION_POLICY_OF: Readonly<Record<RemovalPolicyName, string>> = {
  OldestInstance: 'OLDEST_INSTANCE',
  NewestInstance: 'NEWEST_INSTANCE',
  OldestScalingConfiguration: 'OLDEST_INSTANCE',
}

/** Accepted and ignored; docs/api-tencent.md says why. */
const IGNORED_GROUP_FIELDS = [
  'ProjectId',
  'RetryPolicy',
  'ZonesCheckPolicy',
  'ServiceSettings',
  'MultiZoneSubnetPolicy',
  'HealthCheckType',
  'LoadBalancerHealthCheckGracePeriod',
  'InstanceAllocationPolicy',
  'SpotMixedAllocationPolicy',
  'CapacityRebalance',
  'InstanceNameIndexSettings',
  'HostNameIndexSettings',
  'ConcurrentScaleOutForDesiredCapacity',
]

const groupFields = {
  AutoScalingGroupName: text(55).min(1),
  LaunchConfigurationId: id,
  MaxSize: integer(0, SIZE_MAX),
  MinSize: integer(0, SIZE_MAX),
  VpcId: vpcId,
  DefaultCooldown: integer(0, 86_400).optional(),
  DesiredCapacity: integer(0, SIZE_MAX).optional(),
  SubnetIds: z.array(subnetId).max(SUBNETS_MAX).optional(),
  Zones: z
    .array(z.string().regex(/^[a-z0-9-]{1,32}$/))
    .max(SUBNETS_MAX)
    .optional(),
  TerminationPolicies: list(terminationPolicy, 1).optional(),
}

function zonesOf(params: { SubnetIds?: string[]; Zones?: string[] }, context: TencentContext): Zone[] {
  const ids = params.SubnetIds?.length ? params.SubnetIds : params.Zones?.length ? params.Zones : ['default']
  return [...new Set(ids)].map((subnet) => context.catalog.zoneFor(subnet))
}

const removalPoliciesOf = (policies: readonly (keyof typeof TERMINATION_POLICIES)[] | undefined) =>
  policies?.map((policy) => TERMINATION_POLICIES[policy])

async function tencentGroup(group: GroupView, context: TencentContext, names: ReadonlyMap<string, string>) {
  const subnets = group.zones.map((zone) => context.catalog.subnetIdFor(zone, 'subnet-'))
  return {
    AutoScalingGroupId: group.id,
    AutoScalingGroupName: group.name,
    AutoScalingGroupStatus: 'NORMAL',
    EnabledStatus: group.state === 'Active' ? 'ENABLED' : 'DISABLED',
    InActivityStatus: group.queueLength > 0 ? 'IN_ACTIVITY' : 'NOT_IN_ACTIVITY',
    MinSize: group.minSize,
    MaxSize: group.maxSize,
    DesiredCapacity: group.desiredCapacity ?? group.instanceCount,
    InstanceCount: group.instanceCount,
    InServiceInstanceCount: group.inServiceCount,
    DefaultCooldown: group.defaultCooldownSeconds,
    LaunchConfigurationId: group.launchConfigurationId ?? '',
    LaunchConfigurationName: group.launchConfigurationId ? (names.get(group.launchConfigurationId) ?? '') : '',
    SubnetIdSet: subnets,
    ZoneSet: group.zones.map((zone) => zone.zoneId),
    TerminationPolicySet: [...new Set(group.removalPolicies.map((policy) => TERMINATION_POLICY_OF[policy]))],
    LoadBalancerIdSet: (group.loadBalancers ?? []).map((attachment) => attachment.loadBalancerId),
    ForwardLoadBalancerSet: [],
    VpcId: 'vpc-billow',
    ProjectId: 0,
    RetryPolicy: 'IMMEDIATE_RETRY',
    MultiZoneSubnetPolicy: 'EQUALITY',
    HealthCheckType: 'CVM',
    CreatedTime: isoTime(group.createdAtMs),
    Tags: [],
  }
}

export const autoScalingGroupActions: readonly TencentAction[] = [
  tencentAction({
    name: 'CreateAutoScalingGroup',
    params: z.strictObject({
      ...groupFields,
      LoadBalancerIds: z.array(id).max(20).optional(),
      ...ignore([...IGNORED_GROUP_FIELDS, 'ForwardLoadBalancers', 'Tags']),
    }),
    async handle(params, context) {
      const group = await context.services.groups.create({
        name: params.AutoScalingGroupName,
        minSize: params.MinSize,
        maxSize: params.MaxSize,
        // Tencent groups always hold a desired capacity: min size unless told.
        desiredCapacity: params.DesiredCapacity ?? params.MinSize,
        ...(params.DefaultCooldown === undefined ? {} : { defaultCooldownSeconds: params.DefaultCooldown }),
        zones: zonesOf(params, context),
        ...(params.TerminationPolicies ? { removalPolicies: removalPoliciesOf(params.TerminationPolicies) } : {}),
        launchConfigurationId: params.LaunchConfigurationId as LaunchConfigurationId,
        ...(params.LoadBalancerIds?.length
          ? {
              loadBalancers: params.LoadBalancerIds.map((loadBalancerId) => ({
                loadBalancerId: loadBalancerId as LoadBalancerId,
                port: null,
                weight: LOAD_BALANCER_WEIGHT_DEFAULT,
              })),
            }
          : {}),
        // Tencent groups scale from the start.
        state: 'Active',
      })
      return { AutoScalingGroupId: group.id }
    },
  }),

  tencentAction({
    name: 'ModifyAutoScalingGroup',
    params: z.strictObject({
      AutoScalingGroupId: id,
      AutoScalingGroupName: groupFields.AutoScalingGroupName.optional(),
      LaunchConfigurationId: id.optional(),
      MaxSize: groupFields.MaxSize.optional(),
      MinSize: groupFields.MinSize.optional(),
      VpcId: vpcId.optional(),
      DefaultCooldown: groupFields.DefaultCooldown,
      DesiredCapacity: groupFields.DesiredCapacity,
      SubnetIds: groupFields.SubnetIds,
      Zones: groupFields.Zones,
      TerminationPolicies: groupFields.TerminationPolicies,
      ...ignore(IGNORED_GROUP_FIELDS),
    }),
    async handle(params, context) {
      await context.services.groups.modify(params.AutoScalingGroupId as ScalingGroupId, {
        name: params.AutoScalingGroupName,
        minSize: params.MinSize,
        maxSize: params.MaxSize,
        desiredCapacity: params.DesiredCapacity,
        defaultCooldownSeconds: params.DefaultCooldown,
        zones: params.SubnetIds?.length || params.Zones?.length ? zonesOf(params, context) : undefined,
        removalPolicies: removalPoliciesOf(params.TerminationPolicies),
        launchConfigurationId: params.LaunchConfigurationId as LaunchConfigurationId | undefined,
      })
      return {}
    },
  }),

  tencentAction({
    name: 'DeleteAutoScalingGroup',
    params: z.strictObject({ AutoScalingGroupId: id }),
    async handle(params, context) {
      // Tencent refuses while instances remain; so does Billow without force.
      await context.services.groups.remove(params.AutoScalingGroupId as ScalingGroupId, { force: false })
      return {}
    },
  }),

  tencentAction({
    name: 'EnableAutoScalingGroup',
    params: z.strictObject({ AutoScalingGroupId: id }),
    async handle(params, context) {
      await context.services.groups.setState(params.AutoScalingGroupId as ScalingGroupId, 'Active')
      return {}
    },
  }),

  tencentAction({
    name: 'DisableAutoScalingGroup',
    params: z.strictObject({ AutoScalingGroupId: id }),
    async handle(params, context) {
      await context.services.groups.setState(params.AutoScalingGroupId as ScalingGroupId, 'Inactive')
      return {}
    },
  }),

  tencentAction({
    name: 'ModifyDesiredCapacity',
    params: z.strictObject({
      AutoScalingGroupId: id,
      DesiredCapacity: integer(0, SIZE_MAX),
      MinSize: integer(0, SIZE_MAX).optional(),
      MaxSize: integer(0, SIZE_MAX).optional(),
    }),
    async handle(params, context) {
      // Bounds and desired change together; fixed-number mode converges, without cooldown.
      await context.services.groups.modify(params.AutoScalingGroupId as ScalingGroupId, {
        desiredCapacity: params.DesiredCapacity,
        minSize: params.MinSize,
        maxSize: params.MaxSize,
      })
      return {}
    },
  }),

  tencentAction({
    name: 'DescribeAutoScalingGroups',
    params: z.strictObject({
      AutoScalingGroupIds: z.array(id).max(LOOKUP_IDS_MAX).optional(),
      Filters: filters,
      ...paging,
    }),
    async handle(params, context) {
      const selected = readFilters(
        params.Filters,
        [
          'auto-scaling-group-id',
          'auto-scaling-group-name',
          'vague-auto-scaling-group-name',
          'launch-configuration-id',
          'tag-key',
          'tag-value',
        ],
        params.AutoScalingGroupIds,
      )
      const ids = params.AutoScalingGroupIds ?? []
      const vague = selected.get('vague-auto-scaling-group-name')
      // Billow groups carry no tags: a tag filter matches none.
      const byTag = selected.has('tag-key') || selected.has('tag-value')
      const groups = (await context.services.groups.list()).filter(
        (group) =>
          !byTag &&
          (ids.length === 0 || ids.includes(group.id)) &&
          passes(selected, 'auto-scaling-group-id', group.id) &&
          passes(selected, 'auto-scaling-group-name', group.name) &&
          passes(selected, 'launch-configuration-id', group.launchConfigurationId) &&
          (vague === undefined || vague.some((part) => group.name.includes(part))),
      )
      const names = new Map(
        (await context.services.launchConfigurations.list()).map((record) => [record.id as string, record.name]),
      )
      const { items, TotalCount } = page(groups, params)
      const set = []
      for (const group of items) set.push(await tencentGroup(group, context, names))
      return { TotalCount, AutoScalingGroupSet: set }
    },
  }),
]
