import type { DatabaseId, LoadBalancerId, ScalingGroupId } from '../../core/ids.ts'
import type { LoadBalancerAttachment } from '../../core/load-balancer.ts'
import type { HealthCheckType } from '../../core/types.ts'
import type { Services } from '../../service/services.ts'
import * as s from './attachment-schemas.ts'
import { type Route, route } from './route.ts'

/** The weight of an attachment that names none: every backend alike. */
export const DEFAULT_ATTACHMENT_WEIGHT = 10

type AttachmentBody = {
  loadBalancers?: readonly { loadBalancerId: string; port?: number | null; weight?: number }[] | undefined
  databaseIds?: readonly string[] | undefined
  healthCheckType?: HealthCheckType | undefined
  healthCheckGracePeriodSeconds?: number | undefined
}

const toAttachment = (body: {
  loadBalancerId: string
  port?: number | null
  weight?: number
}): LoadBalancerAttachment => ({
  loadBalancerId: body.loadBalancerId as LoadBalancerId,
  port: body.port ?? null,
  weight: body.weight ?? DEFAULT_ATTACHMENT_WEIGHT,
})

/** A group body's attachment fields in the services' types; absent fields stay absent. */
export function attachmentInput(body: AttachmentBody) {
  return {
    loadBalancers: body.loadBalancers?.map(toAttachment),
    databaseIds: body.databaseIds as DatabaseId[] | undefined,
    healthCheckType: body.healthCheckType,
    healthCheckGracePeriodSeconds: body.healthCheckGracePeriodSeconds,
  }
}

/** Load balancers, databases, and attaching them to groups. */
export function attachmentRoutes(services: Services): Route[] {
  const groupId = (params: Readonly<Record<string, string>>) => params.groupId as ScalingGroupId
  const attach = async (
    id: ScalingGroupId,
    change: (group: Awaited<ReturnType<Services['groups']['get']>>) => AttachmentBody,
  ) => {
    const group = await services.groups.get(id)
    return services.groups.modify(id, attachmentInput(change(group)))
  }
  return [
    route({
      method: 'get',
      path: '/v1/load-balancers',
      tag: 'load balancers',
      summary: 'List load balancers',
      handle: async () => ({ loadBalancers: await services.loadBalancers.list() }),
    }),
    route({
      method: 'post',
      path: '/v1/load-balancers',
      tag: 'load balancers',
      summary: 'Create a load balancer (its data plane starts now)',
      status: 201,
      body: s.createLoadBalancerBody,
      handle: ({ body }) => services.loadBalancers.create(body),
    }),
    route({
      method: 'get',
      path: '/v1/load-balancers/:id',
      tag: 'load balancers',
      summary: 'Describe a load balancer, with traffic figures',
      handle: ({ params }) => services.loadBalancers.get(params.id as LoadBalancerId),
    }),
    route({
      method: 'patch',
      path: '/v1/load-balancers/:id',
      tag: 'load balancers',
      summary: 'Modify a load balancer',
      body: s.modifyLoadBalancerBody,
      handle: ({ params, body }) => services.loadBalancers.modify(params.id as LoadBalancerId, body),
    }),
    route({
      method: 'delete',
      path: '/v1/load-balancers/:id',
      tag: 'load balancers',
      summary: 'Delete a load balancer no group attaches',
      status: 204,
      handle: ({ params }) => services.loadBalancers.remove(params.id as LoadBalancerId),
    }),

    route({
      method: 'get',
      path: '/v1/databases',
      tag: 'databases',
      summary: 'List databases',
      handle: async () => ({ databases: await services.databases.list() }),
    }),
    route({
      method: 'post',
      path: '/v1/databases',
      tag: 'databases',
      summary: 'Register a database whose allowlist follows groups',
      status: 201,
      body: s.createDatabaseBody,
      handle: ({ body }) => services.databases.create(body),
    }),
    route({
      method: 'get',
      path: '/v1/databases/:id',
      tag: 'databases',
      summary: 'Describe a database',
      handle: ({ params }) => services.databases.get(params.id as DatabaseId),
    }),
    route({
      method: 'patch',
      path: '/v1/databases/:id',
      tag: 'databases',
      summary: 'Modify a database',
      body: s.modifyDatabaseBody,
      handle: ({ params, body }) => services.databases.modify(params.id as DatabaseId, body),
    }),
    route({
      method: 'delete',
      path: '/v1/databases/:id',
      tag: 'databases',
      summary: 'Delete a database no group attaches',
      status: 204,
      handle: ({ params }) => services.databases.remove(params.id as DatabaseId),
    }),

    route({
      method: 'post',
      path: '/v1/groups/:groupId/load-balancers',
      tag: 'scaling groups',
      summary: "Attach a load balancer: the group's instances join its pool",
      body: s.attachLoadBalancerBody,
      handle: ({ params, body }) =>
        attach(groupId(params), (group) => ({
          loadBalancers: [
            ...group.loadBalancers.filter((a) => a.loadBalancerId !== body.loadBalancerId),
            toAttachment(body),
          ],
        })),
    }),
    route({
      method: 'delete',
      path: '/v1/groups/:groupId/load-balancers/:loadBalancerId',
      tag: 'scaling groups',
      summary: 'Detach a load balancer: its backends drain and leave',
      handle: ({ params }) =>
        attach(groupId(params), (group) => ({
          loadBalancers: group.loadBalancers.filter((a) => a.loadBalancerId !== params.loadBalancerId),
        })),
    }),
    route({
      method: 'post',
      path: '/v1/groups/:groupId/databases',
      tag: 'scaling groups',
      summary: "Attach a database: the group's addresses join its allowlist",
      body: s.attachDatabaseBody,
      handle: ({ params, body }) =>
        attach(groupId(params), (group) => ({
          databaseIds: [...group.databaseIds.filter((id) => id !== body.databaseId), body.databaseId],
        })),
    }),
    route({
      method: 'delete',
      path: '/v1/groups/:groupId/databases/:databaseId',
      tag: 'scaling groups',
      summary: 'Detach a database: its allowlist loses the addresses',
      handle: ({ params }) =>
        attach(groupId(params), (group) => ({
          databaseIds: group.databaseIds.filter((id) => id !== params.databaseId),
        })),
    }),
  ]
}
