import type { ActivityId, ImageId, InstanceId, LaunchConfigurationId, ScalingGroupId, TokenId } from '../../core/ids.ts'
import type { Services } from '../../service/services.ts'
import { accessKeyRoutes } from './access-key-routes.ts'
import { alarmRoutes } from './alarm-routes.ts'
import { attachmentInput, attachmentRoutes } from './attachment-routes.ts'
import { type Route, route, TextBody } from './route.ts'
import { scheduledTaskRoutes } from './scheduled-task-routes.ts'
import * as s from './schemas.ts'

/** Bytes of instance output a logs call returns when it does not ask for a size. */
const DEFAULT_LOG_BYTES = 64 * 1024

/** The native REST API, resource by resource. Handlers translate; services decide. */
export function restRoutes(services: Services): Route[] {
  const groupId = (params: Readonly<Record<string, string>>) => params.groupId as ScalingGroupId
  return [
    route({
      method: 'get',
      path: '/v1/instance-types',
      tag: 'images',
      summary: 'List instance types',
      handle: async () => ({ instanceTypes: services.instanceTypes.list() }),
    }),
    route({
      method: 'get',
      path: '/v1/images',
      tag: 'images',
      summary: 'List images',
      handle: async () => ({ images: await services.images.list() }),
    }),
    route({
      method: 'post',
      path: '/v1/images',
      tag: 'images',
      summary: 'Register an image',
      status: 201,
      body: s.registerImageBody,
      handle: ({ body }) => services.images.register(body),
    }),
    route({
      method: 'get',
      path: '/v1/images/:imageId',
      tag: 'images',
      summary: 'Describe an image',
      handle: ({ params }) => services.images.get(params.imageId as ImageId),
    }),
    route({
      method: 'delete',
      path: '/v1/images/:imageId',
      tag: 'images',
      summary: 'Remove an image',
      status: 204,
      handle: ({ params }) => services.images.remove(params.imageId as ImageId),
    }),

    route({
      method: 'get',
      path: '/v1/launch-configurations',
      tag: 'launch configurations',
      summary: 'List launch configurations',
      handle: async () => ({ launchConfigurations: await services.launchConfigurations.list() }),
    }),
    route({
      method: 'post',
      path: '/v1/launch-configurations',
      tag: 'launch configurations',
      summary: 'Create a launch configuration',
      status: 201,
      body: s.createLaunchConfigurationBody,
      handle: ({ body }) => services.launchConfigurations.create({ ...body, imageId: body.imageId as ImageId }),
    }),
    route({
      method: 'get',
      path: '/v1/launch-configurations/:id',
      tag: 'launch configurations',
      summary: 'Describe a launch configuration',
      handle: ({ params }) => services.launchConfigurations.get(params.id as LaunchConfigurationId),
    }),
    route({
      method: 'patch',
      path: '/v1/launch-configurations/:id',
      tag: 'launch configurations',
      summary: 'Modify a launch configuration',
      body: s.modifyLaunchConfigurationBody,
      handle: ({ params, body }) =>
        services.launchConfigurations.modify(params.id as LaunchConfigurationId, {
          ...body,
          imageId: body.imageId as ImageId | undefined,
        }),
    }),
    route({
      method: 'delete',
      path: '/v1/launch-configurations/:id',
      tag: 'launch configurations',
      summary: 'Delete a launch configuration',
      status: 204,
      handle: ({ params }) => services.launchConfigurations.remove(params.id as LaunchConfigurationId),
    }),

    route({
      method: 'get',
      path: '/v1/groups',
      tag: 'scaling groups',
      summary: 'List scaling groups',
      handle: async () => ({ groups: await services.groups.list() }),
    }),
    route({
      method: 'post',
      path: '/v1/groups',
      tag: 'scaling groups',
      summary: 'Create a scaling group',
      status: 201,
      body: s.createGroupBody,
      handle: ({ body }) =>
        services.groups.create({
          ...body,
          ...attachmentInput(body),
          launchConfigurationId: body.launchConfigurationId as LaunchConfigurationId,
        }),
    }),
    route({
      method: 'get',
      path: '/v1/groups/:groupId',
      tag: 'scaling groups',
      summary: 'Describe a scaling group',
      handle: ({ params }) => services.groups.get(groupId(params)),
    }),
    route({
      method: 'patch',
      path: '/v1/groups/:groupId',
      tag: 'scaling groups',
      summary: 'Modify a scaling group',
      body: s.modifyGroupBody,
      handle: ({ params, body }) =>
        services.groups.modify(groupId(params), {
          ...body,
          ...attachmentInput(body),
          launchConfigurationId: body.launchConfigurationId as LaunchConfigurationId | undefined,
        }),
    }),
    route({
      method: 'delete',
      path: '/v1/groups/:groupId',
      tag: 'scaling groups',
      summary: 'Delete a scaling group (force: drain it first)',
      status: 202,
      query: s.deleteGroupQuery,
      handle: async ({ params, query }) => ({
        group: await services.groups.remove(groupId(params), { force: query.force === 'true' }),
      }),
    }),
    route({
      method: 'post',
      path: '/v1/groups/:groupId/enable',
      tag: 'scaling groups',
      summary: 'Enable a scaling group',
      body: s.emptyBody,
      handle: ({ params }) => services.groups.setState(groupId(params), 'Active'),
    }),
    route({
      method: 'post',
      path: '/v1/groups/:groupId/disable',
      tag: 'scaling groups',
      summary: 'Disable a scaling group',
      body: s.emptyBody,
      handle: ({ params }) => services.groups.setState(groupId(params), 'Inactive'),
    }),
    route({
      method: 'get',
      path: '/v1/groups/:groupId/queue',
      tag: 'scaling groups',
      summary: "The group's running and queued activities",
      handle: async ({ params }) => ({ activities: await services.activities.queue(groupId(params)) }),
    }),
    route({
      method: 'post',
      path: '/v1/groups/:groupId/desired-capacity',
      tag: 'scaling groups',
      summary: 'Set desired capacity',
      status: 202,
      body: s.desiredCapacityBody,
      handle: ({ params, body }) =>
        services.capacity.setDesiredCapacity(groupId(params), body.desiredCapacity, {
          honorCooldown: body.honorCooldown ?? false,
        }),
    }),
    route({
      method: 'post',
      path: '/v1/groups/:groupId/attach-instances',
      tag: 'scaling groups',
      summary: 'Attach standalone instances',
      status: 202,
      body: s.attachInstancesBody,
      handle: ({ params, body }) =>
        services.capacity.attachInstances(groupId(params), body.instanceIds as InstanceId[]),
    }),
    route({
      method: 'post',
      path: '/v1/groups/:groupId/detach-instances',
      tag: 'scaling groups',
      summary: 'Detach instances (they keep running)',
      status: 202,
      body: s.detachInstancesBody,
      handle: ({ params, body }) =>
        services.capacity.detachInstances(groupId(params), body.instanceIds as InstanceId[], {
          decrementDesired: body.decrementDesired ?? true,
        }),
    }),
    route({
      method: 'post',
      path: '/v1/groups/:groupId/remove-instances',
      tag: 'scaling groups',
      summary: 'Remove chosen instances',
      status: 202,
      body: s.removeInstancesBody,
      handle: ({ params, body }) =>
        services.capacity.removeInstances(groupId(params), body.instanceIds as InstanceId[], {
          terminateAttached: body.terminateAttached ?? false,
        }),
    }),
    route({
      method: 'post',
      path: '/v1/groups/:groupId/protection',
      tag: 'scaling groups',
      summary: 'Set or clear removal protection',
      body: s.protectionBody,
      handle: async ({ params, body }) => ({
        instances: await services.groups.setProtection(
          groupId(params),
          body.instanceIds as InstanceId[],
          body.protected,
        ),
      }),
    }),

    route({
      method: 'get',
      path: '/v1/rules',
      tag: 'scaling rules',
      summary: 'List scaling rules',
      query: s.listRulesQuery,
      handle: async ({ query }) => ({
        rules: await services.rules.list({ ...(query.groupId ? { groupId: query.groupId as ScalingGroupId } : {}) }),
      }),
    }),
    route({
      method: 'post',
      path: '/v1/rules',
      tag: 'scaling rules',
      summary: 'Create a simple scaling rule',
      status: 201,
      body: s.createRuleBody,
      handle: ({ body }) => services.rules.create({ ...body, groupId: body.groupId as ScalingGroupId }),
    }),
    route({
      method: 'get',
      path: '/v1/rules/:rule',
      tag: 'scaling rules',
      summary: 'Describe a rule (id or URL-encoded ARI)',
      handle: ({ params }) => services.rules.get(params.rule ?? ''),
    }),
    route({
      method: 'patch',
      path: '/v1/rules/:rule',
      tag: 'scaling rules',
      summary: 'Modify a rule',
      body: s.modifyRuleBody,
      handle: ({ params, body }) => services.rules.modify(params.rule ?? '', body),
    }),
    route({
      method: 'delete',
      path: '/v1/rules/:rule',
      tag: 'scaling rules',
      summary: 'Delete a rule',
      status: 204,
      handle: ({ params }) => services.rules.remove(params.rule ?? ''),
    }),
    route({
      method: 'post',
      path: '/v1/rules/:rule/execute',
      tag: 'scaling rules',
      summary: 'Execute a rule by id or ARI',
      status: 202,
      body: s.executeRuleBody,
      handle: ({ params, body }) =>
        services.rules.execute(params.rule ?? '', {
          ignoreCooldown: body.ignoreCooldown ?? false,
          ...(body.groupId ? { groupId: body.groupId as ScalingGroupId } : {}),
        }),
    }),

    route({
      method: 'get',
      path: '/v1/instances',
      tag: 'instances',
      summary: 'List instances',
      query: s.listInstancesQuery,
      handle: async ({ query }) => ({
        instances: await services.instances.list({
          ...(query.groupId ? { groupId: query.groupId as ScalingGroupId } : {}),
          includeTerminated: query.all === 'true',
        }),
      }),
    }),
    route({
      method: 'post',
      path: '/v1/instances',
      tag: 'instances',
      summary: 'Run a standalone instance',
      status: 201,
      body: s.runInstanceBody,
      handle: ({ body }) =>
        services.instances.run({
          imageId: body.imageId as ImageId | undefined,
          launchConfigurationId: body.launchConfigurationId as LaunchConfigurationId | undefined,
          instanceType: body.instanceType,
        }),
    }),
    route({
      method: 'get',
      path: '/v1/instances/:instanceId',
      tag: 'instances',
      summary: 'Describe an instance',
      handle: ({ params }) => services.instances.get(params.instanceId as InstanceId),
    }),
    route({
      method: 'get',
      path: '/v1/instances/:instanceId/logs',
      tag: 'instances',
      summary: "An instance's output",
      query: s.logsQuery,
      handle: async ({ params, query }) =>
        new TextBody(
          await services.instances.logs(params.instanceId as InstanceId, query.maxBytes ?? DEFAULT_LOG_BYTES),
        ),
    }),
    route({
      method: 'delete',
      path: '/v1/instances/:instanceId',
      tag: 'instances',
      summary: 'Terminate a standalone instance',
      status: 202,
      handle: ({ params }) => services.instances.terminate(params.instanceId as InstanceId),
    }),

    route({
      method: 'get',
      path: '/v1/activities',
      tag: 'activities',
      summary: 'List scaling activities, newest first',
      query: s.listActivitiesQuery,
      handle: async ({ query }) => ({
        activities: await services.activities.list({
          ...(query.groupId ? { groupId: query.groupId as ScalingGroupId } : {}),
          ...(query.limit ? { limit: query.limit } : {}),
        }),
      }),
    }),
    route({
      method: 'get',
      path: '/v1/activities/:activityId',
      tag: 'activities',
      summary: 'Describe an activity',
      handle: ({ params }) => services.activities.get(params.activityId as ActivityId),
    }),

    route({
      method: 'get',
      path: '/v1/tokens',
      tag: 'tokens',
      summary: 'List API tokens',
      handle: async () => ({ tokens: await services.tokens.list() }),
    }),
    route({
      method: 'post',
      path: '/v1/tokens',
      tag: 'tokens',
      summary: 'Create an API token (the secret is shown once)',
      status: 201,
      body: s.createTokenBody,
      handle: ({ body }) => services.tokens.create({ name: body.name, scope: body.scope ?? 'full' }),
    }),
    route({
      method: 'delete',
      path: '/v1/tokens/:tokenId',
      tag: 'tokens',
      summary: 'Delete an API token',
      status: 204,
      handle: ({ params }) => services.tokens.remove(params.tokenId as TokenId),
    }),
    ...accessKeyRoutes(services),
    ...scheduledTaskRoutes(services),
    ...alarmRoutes(services),
    ...attachmentRoutes(services),
  ]
}
