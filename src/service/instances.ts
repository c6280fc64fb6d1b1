import { DEFAULT_INSTANCE_TYPES } from '../core/cloud-instance-types.ts'
import { BillowError } from '../core/errors.ts'
import type { ImageId, InstanceId, LaunchConfigurationId, ScalingGroupId } from '../core/ids.ts'
import { DEFAULT_INSTANCE_TYPE } from '../core/instance-type.ts'
import type { Instance, InstanceState } from '../core/types.ts'
import { recordLaunch } from '../engine/instance-steps.ts'
import type { ServiceContext } from './context.ts'
import { DEFAULT_APP_PORT } from './launch-configurations.ts'
import { invalid, notFound } from './validate.ts'

/** Output returned by one logs call at most: a screenful of history, not the whole file. */
export const LOG_BYTES_MAX = 1024 * 1024

export interface RunInstanceInput {
  readonly imageId?: ImageId
  readonly launchConfigurationId?: LaunchConfigurationId
  readonly instanceType?: string
}

export function instanceService(context: ServiceContext) {
  const { store } = context
  return {
    list: (filter: { groupId?: ScalingGroupId; includeTerminated: boolean }) =>
      store.instances.list({
        ...(filter.groupId === undefined ? {} : { groupId: filter.groupId }),
        ...(filter.includeTerminated
          ? {}
          : { states: ['Pending', 'InService', 'Standby', 'Removing'] as InstanceState[] }),
      }),

    async get(id: InstanceId): Promise<Instance> {
      return (await store.instances.get(id)) ?? notFound('InstanceNotFound', 'instance', id)
    },

    async logs(id: InstanceId, maxBytes: number): Promise<string> {
      if (!(await store.instances.get(id))) notFound('InstanceNotFound', 'instance', id)
      return context.provider.logs(id, Math.min(maxBytes, LOG_BYTES_MAX))
    },

    /** A standalone instance, outside any group, from a registered image; attach it to a group later. */
    run: (input: RunInstanceInput) =>
      store.transaction(async (tx) => {
        if ((input.imageId === undefined) === (input.launchConfigurationId === undefined)) {
          invalid('imageId', 'give exactly one of imageId and launchConfigurationId', 'MissingParameter')
        }
        const launchConfiguration = input.launchConfigurationId
          ? ((await tx.launchConfigurations.get(input.launchConfigurationId)) ??
            notFound(
              'LaunchConfigurationNotFound',
              'launch configuration',
              input.launchConfigurationId,
              'launchConfigurationId',
            ))
          : null
        const imageId = launchConfiguration?.imageId ?? (input.imageId as ImageId)
        const image = (await tx.images.get(imageId)) ?? notFound('ImageNotFound', 'image', imageId, 'imageId')
        const instanceType = input.instanceType ?? launchConfiguration?.instanceType ?? DEFAULT_INSTANCE_TYPE
        if (!(context.settings.instanceTypes ?? DEFAULT_INSTANCE_TYPES).find(instanceType))
          invalid('instanceType', `unknown instance type ${instanceType}`)
        const instanceId = context.ids.next('instance') as InstanceId
        const instance = await recordLaunch(
          tx,
          {
            instanceId,
            clientToken: `run#${instanceId}`,
            groupId: null,
            activityId: null,
            launchConfiguration,
            image,
            instanceType,
            zoneId: context.settings.standaloneZoneId,
            subnet: context.settings.standaloneSubnet,
            port: launchConfiguration?.appPort ?? DEFAULT_APP_PORT,
            joinedBy: 'Attached',
          },
          context.clock.nowMs(),
        )
        context.wakeEngine()
        return instance
      }),

    /** Standalone instances only; a group's members leave through remove-instances. */
    terminate: (id: InstanceId) =>
      store.transaction(async (tx) => {
        const instance = (await tx.instances.get(id)) ?? notFound('InstanceNotFound', 'instance', id)
        if (instance.groupId !== null) {
          throw new BillowError(
            'InstanceStateInvalid',
            `instance ${id} belongs to ${instance.groupId}; use remove-instances`,
          )
        }
        if (instance.state === 'Terminated' || instance.state === 'Removing') return instance
        const next: Instance = {
          ...instance,
          state: 'Removing',
          removalAction: 'terminate',
          statusReason: 'terminated by request',
        }
        await tx.instances.update(next)
        context.wakeEngine()
        return next
      }),
  }
}
