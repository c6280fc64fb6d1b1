/**
 * Launch configurations: Create/Modify/Delete/DescribeLaunchConfigurations (Modify is
 * ModifyLaunchConfigurationAttributes). Image ids and instance type names resolve through the
 * cloud catalog; InstanceTags become the launch configuration's tags.
 */
import { z } from 'zod'
import { BillowError } from '../../../core/errors.ts'
import type { ImageId, LaunchConfigurationId } from '../../../core/ids.ts'
import type { LaunchConfiguration } from '../../../core/types.ts'
import { type TencentAction, type TencentContext, tencentAction } from '../action.ts'
import {
  filters,
  id,
  ignore,
  isoTime,
  list,
  page,
  paging,
  passes,
  readFilters,
  securityGroupId,
  text,
  userData,
} from '../param-types.ts'

const TAGS_MAX = 20
const LOOKUP_IDS_MAX = 100

const instanceTags = z.array(z.strictObject({ Key: text(127), Value: text(255) })).max(TAGS_MAX)

/** Accepted and ignored: disks, networks, billing, logins and the like have no meaning on one machine. */
const IGNORED_FIELDS = [
  'ProjectId',
  'SystemDisk',
  'DataDisks',
  'InternetAccessible',
  'LoginSettings',
  'EnhancedService',
  'InstanceChargeType',
  'InstanceMarketOptions',
  'CamRoleName',
  'InstanceTypesCheckPolicy',
  'Tags',
  'HostNameSettings',
  'InstanceNameSettings',
  'InstanceChargePrepaid',
  'DiskTypePolicy',
  'HpcClusterId',
  'DisasterRecoverGroupIds',
  'ImageFamily',
  'DedicatedClusterId',
  'Metadata',
  'NetworkInterfaces',
]

const configurationFields = {
  ImageId: text(128).optional(),
  InstanceType: text(64).optional(),
  InstanceTypes: list(text(64), 10).optional(),
  UserData: userData.optional(),
  SecurityGroupIds: z.array(securityGroupId).max(5).optional(),
  InstanceTags: instanceTags.optional(),
  ...ignore(IGNORED_FIELDS),
}

async function imageFor(imageId: string | undefined, context: TencentContext): Promise<ImageId | undefined> {
  if (imageId === undefined) return undefined
  const image = context.catalog.resolveImage(imageId, await context.services.images.list())
  if (!image) {
    throw new BillowError(
      'ImageNotFound',
      `ImageId: ${imageId} is neither a registered image nor in the cloud catalog, and the catalog names no default image`,
      { field: 'ImageId' },
    )
  }
  return image.id
}

const tagsOf = (tags: readonly { Key: string; Value: string }[] | undefined) =>
  tags === undefined ? undefined : Object.fromEntries(tags.map((tag) => [tag.Key, tag.Value]))

function tencentLaunchConfiguration(
  record: LaunchConfiguration,
  groups: readonly { id: string; name: string; launchConfigurationId: string | null }[],
) {
  return {
    LaunchConfigurationId: record.id,
    LaunchConfigurationName: record.name,
    LaunchConfigurationStatus: 'NORMAL',
    ImageId: record.imageId,
    InstanceType: record.instanceType,
    InstanceTypes: [record.instanceType],
    UserData: record.userData === null ? '' : Buffer.from(record.userData, 'utf8').toString('base64'),
    SecurityGroupIds: [],
    InstanceTags: Object.entries(record.tags).map(([Key, Value]) => ({ Key, Value })),
    Tags: [],
    AutoScalingGroupAbstractSet: groups
      .filter((group) => group.launchConfigurationId === record.id)
      .map((group) => ({ AutoScalingGroupId: group.id, AutoScalingGroupName: group.name })),
    ProjectId: 0,
    VersionNumber: 1,
    CreatedTime: isoTime(record.createdAtMs),
    UpdatedTime: isoTime(record.createdAtMs),
    InstanceChargeType: 'POSTPAID_BY_HOUR',
  }
}

export const launchConfigurationActions: readonly TencentAction[] = [
  tencentAction({
    name: 'CreateLaunchConfiguration',
    params: z.strictObject({ LaunchConfigurationName: text(60).min(1), ...configurationFields }),
    async handle(params, context) {
      const imageId = await imageFor(params.ImageId, context)
      if (imageId === undefined) throw new BillowError('MissingParameter', 'ImageId: is required', { field: 'ImageId' })
      const instanceType = params.InstanceType ?? params.InstanceTypes?.[0]
      const record = await context.services.launchConfigurations.create({
        name: params.LaunchConfigurationName,
        imageId,
        ...(instanceType === undefined ? {} : { instanceType }),
        userData: params.UserData ?? null,
        tags: tagsOf(params.InstanceTags) ?? {},
      })
      return { LaunchConfigurationId: record.id }
    },
  }),

  tencentAction({
    name: 'ModifyLaunchConfigurationAttributes',
    params: z.strictObject({
      LaunchConfigurationId: id,
      LaunchConfigurationName: text(60).min(1).optional(),
      ...configurationFields,
    }),
    async handle(params, context) {
      await context.services.launchConfigurations.modify(params.LaunchConfigurationId as LaunchConfigurationId, {
        name: params.LaunchConfigurationName,
        imageId: await imageFor(params.ImageId, context),
        instanceType: params.InstanceType ?? params.InstanceTypes?.[0],
        userData: params.UserData,
        tags: tagsOf(params.InstanceTags),
      })
      return {}
    },
  }),

  tencentAction({
    name: 'DeleteLaunchConfiguration',
    params: z.strictObject({ LaunchConfigurationId: id }),
    async handle(params, context) {
      await context.services.launchConfigurations.remove(params.LaunchConfigurationId as LaunchConfigurationId)
      return {}
    },
  }),

  tencentAction({
    name: 'DescribeLaunchConfigurations',
    params: z.strictObject({
      LaunchConfigurationIds: z.array(id).max(LOOKUP_IDS_MAX).optional(),
      Filters: filters,
      ...paging,
    }),
    async handle(params, context) {
      const selected = readFilters(
        params.Filters,
        ['launch-configuration-id', 'launch-configuration-name', 'vague-launch-configuration-name'],
        params.LaunchConfigurationIds,
      )
      const ids = params.LaunchConfigurationIds ?? []
      const vague = selected.get('vague-launch-configuration-name')
      const records = (await context.services.launchConfigurations.list()).filter(
        (record) =>
          (ids.length === 0 || ids.includes(record.id)) &&
          passes(selected, 'launch-configuration-id', record.id) &&
          passes(selected, 'launch-configuration-name', record.name) &&
          (vague === undefined || vague.some((part) => record.name.includes(part))),
      )
      const groups = await context.services.groups.list()
      const { items, TotalCount } = page(records, params)
      return { TotalCount, LaunchConfigurationSet: items.map((record) => tencentLaunchConfiguration(record, groups)) }
    },
  }),
]
