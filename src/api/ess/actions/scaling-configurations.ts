/**
 * Scaling configurations (Billow launch configurations that belong to a group): Create, Modify,
 * Delete, DescribeScalingConfigurations. Cloud image ids and instance type names resolve through
 * the cloud catalog; user data is base64 on the wire, as in ESS.
 */
import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { BillowError } from '../../../core/errors.ts'
import type { ImageId, LaunchConfigurationId, ScalingGroupId } from '../../../core/ids.ts'
import type { LaunchConfiguration } from '../../../core/types.ts'
import { type EssAction, type EssContext, essAction } from '../action.ts'
import { defined, minuteTime, page, wrapped } from '../format.ts'
import { id, ignore, list, paging, text } from '../param-types.ts'

/** ESS takes 32 KB of base64 user data; Billow keeps 16 KiB decoded (USER_DATA_BYTES_MAX). */
const USER_DATA_BASE64_MAX = 32 * 1024
const TAGS_MAX = 20
const LOOKUP_IDS_MAX = 10

const securityGroupId = z.string().regex(/^sg-[0-9a-z-]{1,60}$/, 'must be a security group id (sg-…)')
const userData = z
  .string()
  .max(USER_DATA_BASE64_MAX)
  .regex(/^[A-Za-z0-9+/=\s]*$/, 'must be base64')
  .transform((value) => Buffer.from(value, 'base64').toString('utf8'))
/** `Tags` is one string holding a JSON object of up to 20 string keys and values. */
const tags = z
  .string()
  .max(8192)
  .transform((value, context) => {
    try {
      const parsed: unknown = JSON.parse(value)
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const entries = Object.entries(parsed as Record<string, unknown>)
        if (entries.length <= TAGS_MAX && entries.every(([, tag]) => typeof tag === 'string')) {
          return Object.fromEntries(entries) as Record<string, string>
        }
      }
    } catch {
      // reported below
    }
    context.addIssue({ code: 'custom', message: `must be a JSON object of at most ${TAGS_MAX} string tags` })
    return z.NEVER
  })

/** Accepted and ignored: what a local machine has no use for (disks, networks, billing, keys). */
const IGNORED_CONFIGURATION_FIELDS = [
  'IoOptimized',
  'InternetChargeType',
  'InternetMaxBandwidthIn',
  'InternetMaxBandwidthOut',
  'SystemDisk',
  'SystemDiskCategory',
  'SystemDiskSize',
  'SystemDiskCategories',
  'DataDisk',
  'KeyPairName',
  'RamRoleName',
  'Password',
  'PasswordInherit',
  'HostName',
  'InstanceName',
  'InstanceDescription',
  'SpotStrategy',
  'SpotPriceLimit',
  'SecurityEnhancementStrategy',
  'LoadBalancerWeight',
  'DeploymentSetId',
  'Ipv6AddressCount',
  'CreditSpecification',
  'ImageFamily',
  'ImageOptions',
  'Affinity',
  'Tenancy',
  'DedicatedHostId',
  'SchedulerOptions',
  'PrivatePoolOptions',
  'ResourceGroupId',
  'HpcClusterId',
  'ZoneId',
  'InstancePatternInfo',
  'InstanceTypeOverride',
  'NetworkInterface',
  'Cpu',
  'Memory',
  'StorageSetId',
  'StorageSetPartitionNumber',
  'CustomPriority',
  'SecurityOptions',
  'SystemDiskEncrypted',
  'SystemDiskKMSKeyId',
  'SystemDiskEncryptAlgorithm',
  'SystemDiskProvisionedIops',
  'SystemDiskBurstingEnabled',
  'DeletionProtection',
  'HttpEndpoint',
  'HttpTokens',
  'ClientToken',
]

const configurationFields = {
  ScalingConfigurationName: text(64).optional(),
  ImageId: text(128).optional(),
  ImageName: text(128).optional(),
  InstanceType: text(64).optional(),
  InstanceTypes: list(text(64), 20).optional(),
  UserData: userData.optional(),
  Tags: tags.optional(),
  // Checked for form, then ignored: instances on one machine share its network.
  SecurityGroupId: securityGroupId.optional(),
  SecurityGroupIds: list(securityGroupId, 16).optional(),
  ...ignore(IGNORED_CONFIGURATION_FIELDS),
}

async function imageFor(
  params: { ImageId?: string; ImageName?: string },
  context: EssContext,
): Promise<ImageId | undefined> {
  const reference = params.ImageId ?? params.ImageName
  if (reference === undefined) return undefined
  const image = context.catalog.resolveImage(reference, await context.services.images.list())
  if (!image) {
    throw new BillowError(
      'ImageNotFound',
      `ImageId: ${reference} is neither a registered image nor in the cloud catalog, and the catalog names no default image`,
      { field: 'ImageId' },
    )
  }
  return image.id
}

export function essConfiguration(record: LaunchConfiguration, activeIds: ReadonlySet<string>) {
  return defined({
    ScalingConfigurationId: record.id,
    ScalingConfigurationName: record.name,
    ScalingGroupId: record.scalingGroupId,
    ImageId: record.imageId,
    InstanceType: record.instanceType,
    ...wrapped('InstanceTypes', 'InstanceType', [record.instanceType]),
    LifecycleState: activeIds.has(record.id) ? 'Active' : 'Inactive',
    CreationTime: minuteTime(record.createdAtMs),
    UserData: record.userData === null ? undefined : Buffer.from(record.userData, 'utf8').toString('base64'),
    ...wrapped(
      'Tags',
      'Tag',
      Object.entries(record.tags).map(([Key, Value]) => ({ Key, Value })),
    ),
  })
}

export const scalingConfigurationActions: readonly EssAction[] = [
  essAction({
    name: 'CreateScalingConfiguration',
    params: z.strictObject({ ScalingGroupId: id, ...configurationFields }),
    async handle(params, context) {
      const imageId = await imageFor(params, context)
      if (imageId === undefined) {
        throw new BillowError('MissingParameter', 'ImageId: is required', { field: 'ImageId' })
      }
      const record = await context.services.launchConfigurations.create({
        name: params.ScalingConfigurationName ?? `scaling-configuration-${randomBytes(4).toString('hex')}`,
        imageId,
        ...((params.InstanceType ?? params.InstanceTypes?.[0])
          ? { instanceType: params.InstanceType ?? params.InstanceTypes?.[0] }
          : {}),
        userData: params.UserData ?? null,
        tags: params.Tags ?? {},
        scalingGroupId: params.ScalingGroupId as ScalingGroupId,
      })
      return { ScalingConfigurationId: record.id }
    },
  }),

  essAction({
    name: 'ModifyScalingConfiguration',
    params: z.strictObject({ ScalingConfigurationId: id, ...configurationFields }),
    async handle(params, context) {
      const imageId = await imageFor(params, context)
      await context.services.launchConfigurations.modify(params.ScalingConfigurationId as LaunchConfigurationId, {
        name: params.ScalingConfigurationName,
        imageId,
        instanceType: params.InstanceType ?? params.InstanceTypes?.[0],
        userData: params.UserData,
        tags: params.Tags,
      })
      return {}
    },
  }),

  essAction({
    name: 'DeleteScalingConfiguration',
    params: z.strictObject({ ScalingConfigurationId: id }),
    async handle(params, context) {
      await context.services.launchConfigurations.remove(params.ScalingConfigurationId as LaunchConfigurationId)
      return {}
    },
  }),

  essAction({
    name: 'DescribeScalingConfigurations',
    params: z.strictObject({
      ScalingGroupId: id.optional(),
      ScalingConfigurationId: list(id, LOOKUP_IDS_MAX).optional(),
      ScalingConfigurationName: list(text(64), LOOKUP_IDS_MAX).optional(),
      ...paging,
    }),
    async handle(params, context) {
      const ids = params.ScalingConfigurationId ?? []
      const names = params.ScalingConfigurationName ?? []
      if (params.ScalingGroupId !== undefined)
        await context.services.groups.get(params.ScalingGroupId as ScalingGroupId)
      const groups = await context.services.groups.list()
      const active = new Set(
        groups.flatMap((group) => (group.launchConfigurationId ? [group.launchConfigurationId] : [])),
      )
      const records = (await context.services.launchConfigurations.list()).filter(
        (record) =>
          (params.ScalingGroupId === undefined || record.scalingGroupId === params.ScalingGroupId) &&
          (ids.length === 0 || ids.includes(record.id)) &&
          (names.length === 0 || names.includes(record.name)),
      )
      const { items, fields } = page(records, params)
      return {
        ...fields,
        ...wrapped(
          'ScalingConfigurations',
          'ScalingConfiguration',
          items.map((record) => essConfiguration(record, active)),
        ),
      }
    },
  }),
]
