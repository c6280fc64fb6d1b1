import { DEFAULT_INSTANCE_TYPES } from '../core/cloud-instance-types.ts'
import { BillowError } from '../core/errors.ts'
import type { ImageId, LaunchConfigurationId, ScalingGroupId } from '../core/ids.ts'
import { DEFAULT_INSTANCE_TYPE } from '../core/instance-type.ts'
import type { LaunchConfiguration, ScalingGroup } from '../core/types.ts'
import type { Collections } from '../ports/store.ts'
import type { ServiceContext } from './context.ts'
import { invalid, notFound, requireIntegerIn, requireName } from './validate.ts'

export interface LaunchConfigurationInput {
  readonly name: string
  readonly imageId: ImageId
  readonly instanceType?: string
  readonly userData?: string | null
  readonly env?: Readonly<Record<string, string>>
  readonly appPort?: number
  readonly tags?: Readonly<Record<string, string>>
}

/** User data is a script for the instance to read, like cloud-init's; 16 KiB as in ESS. */
export const USER_DATA_BYTES_MAX = 16 * 1024
const ENV_ENTRIES_MAX = 64
const TAGS_MAX = 20
export const DEFAULT_APP_PORT = 8080
/** ESS's quota of scaling configurations per group. */
export const LAUNCH_CONFIGURATIONS_PER_GROUP_MAX = 10
/** Names Billow sets itself; a launch configuration cannot override them. */
const RESERVED_ENV = [
  'INSTANCE_ID',
  'HOST',
  'PORT',
  'ZONE',
  'USER_DATA_FILE',
  'BILLOW_INSTANCE_ID',
  'BILLOW_PROVIDER_ROOT',
]

export function launchConfigurationService(context: ServiceContext) {
  const { store } = context

  async function validate(tx: Collections, record: LaunchConfiguration): Promise<void> {
    requireName('name', record.name)
    if (!(await tx.images.get(record.imageId))) notFound('ImageNotFound', 'image', record.imageId, 'imageId')
    const instanceTypes = context.settings.instanceTypes ?? DEFAULT_INSTANCE_TYPES
    if (!instanceTypes.find(record.instanceType)) {
      const names = instanceTypes.list().map((type) => type.name)
      invalid('instanceType', `unknown; one of ${names.join(', ')}, or a cloud name such as ecs.g6.large or S5.MEDIUM4`)
    }
    if (record.userData !== null && Buffer.byteLength(record.userData) > USER_DATA_BYTES_MAX) {
      invalid('userData', `is larger than ${USER_DATA_BYTES_MAX} bytes`)
    }
    requireIntegerIn('appPort', record.appPort, 1, 65_535)
    const envNames = Object.keys(record.env)
    if (envNames.length > ENV_ENTRIES_MAX) invalid('env', `has more than ${ENV_ENTRIES_MAX} entries`)
    for (const name of envNames) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) invalid(`env.${name}`, 'is not a valid variable name')
      if (RESERVED_ENV.includes(name)) invalid(`env.${name}`, 'is set by Billow itself')
    }
    if (Object.keys(record.tags).length > TAGS_MAX) invalid('tags', `has more than ${TAGS_MAX} entries`)
  }

  async function ownerGroup(tx: Collections, groupId: ScalingGroupId): Promise<ScalingGroup> {
    const group =
      (await tx.groups.get(groupId)) ?? notFound('ScalingGroupNotFound', 'scaling group', groupId, 'scalingGroupId')
    const owned = (await tx.launchConfigurations.list()).filter((record) => record.scalingGroupId === groupId)
    if (owned.length >= LAUNCH_CONFIGURATIONS_PER_GROUP_MAX) {
      invalid('scalingGroupId', `a group has at most ${LAUNCH_CONFIGURATIONS_PER_GROUP_MAX} launch configurations`)
    }
    return group
  }

  return {
    list: () => store.launchConfigurations.list(),

    async get(id: LaunchConfigurationId): Promise<LaunchConfiguration> {
      return (
        (await store.launchConfigurations.get(id)) ??
        notFound('LaunchConfigurationNotFound', 'launch configuration', id)
      )
    },

    /**
     * With `scalingGroupId` the configuration belongs to that group (ESS scaling configurations
     * do), and becomes the group's launch configuration when the group has none yet.
     */
    create: (input: LaunchConfigurationInput & { readonly scalingGroupId?: ScalingGroupId }) =>
      store.transaction(async (tx) => {
        const owner = input.scalingGroupId === undefined ? undefined : await ownerGroup(tx, input.scalingGroupId)
        const record: LaunchConfiguration = {
          id: context.ids.next('launchConfiguration') as LaunchConfigurationId,
          name: input.name,
          imageId: input.imageId,
          instanceType: input.instanceType ?? DEFAULT_INSTANCE_TYPE,
          userData: input.userData ?? null,
          env: { ...input.env },
          appPort: input.appPort ?? DEFAULT_APP_PORT,
          tags: { ...input.tags },
          ...(owner ? { scalingGroupId: owner.id } : {}),
          createdAtMs: context.clock.nowMs(),
        }
        await validate(tx, record)
        await tx.launchConfigurations.insert(record)
        if (owner && owner.launchConfigurationId === null) {
          await tx.groups.update({ ...owner, launchConfigurationId: record.id })
        }
        return record
      }),

    /** Changes apply to instances launched from now on; running ones keep what they started with. */
    modify: (id: LaunchConfigurationId, changes: Partial<LaunchConfigurationInput>) =>
      store.transaction(async (tx) => {
        const current =
          (await tx.launchConfigurations.get(id)) ?? notFound('LaunchConfigurationNotFound', 'launch configuration', id)
        const record: LaunchConfiguration = {
          ...current,
          ...Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)),
        }
        await validate(tx, record)
        await tx.launchConfigurations.update(record)
        return record
      }),

    remove: (id: LaunchConfigurationId) =>
      store.transaction(async (tx) => {
        if (!(await tx.launchConfigurations.get(id)))
          notFound('LaunchConfigurationNotFound', 'launch configuration', id)
        const users = await tx.groups.countUsingLaunchConfiguration(id)
        if (users > 0) {
          throw new BillowError(
            'LaunchConfigurationInUse',
            `launch configuration ${id} is active in ${users} scaling group(s)`,
          )
        }
        await tx.launchConfigurations.delete(id)
      }),
  }
}
