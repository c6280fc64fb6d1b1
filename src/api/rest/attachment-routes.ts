import { BillowError } from '../../core/errors.ts'
import type { DatabaseId, LoadBalancerId, ScalingGroupId } from '../../core/ids.ts'
import type { LoadBalancerAttachment } from '../../core/load-balancer.ts'
import type { HealthCheckType, ScalingGroup } from '../../core/types.ts'
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
  /** Changes a group's attachment lists in one transaction with the read they depend on. */
  const attach = (id: ScalingGroupId, change: (group: ScalingGroup) => AttachmentBody) =>
    services.groups.modify(id, (group) => attachmentInput(change(group)))
  const attached = <T>(list: readonly T[], has: (item: T) => boolean, what: string, group: ScalingGroup): void => {
    if (!list.some(has)) throw new BillowError('InvalidParameterValue', `${what} is not attached to ${group.id}`)
  }
  const requireBalancer = async (id: string) => {
    await services.loadBalancers.get(id as LoadBalancerId).catch((error: unknown) => {
      throw error instanceof BillowError
        ? new BillowError(error.code, error.message, { field: 'loadBalancerId' })
        : error
    })
  }
  const requireDatabase = async (id: string) => {
    await services.databases.get(id as DatabaseId).catch((error: unknown) => {
      throw error instanceof BillowError ? new BillowError(error.code, error.message, { field: 'databaseId' }) : error
    })
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
      handle: async ({ params, body }) => {
        await requireBalancer(body.loadBalancerId)
        return attach(groupId(params), (group) => ({
          loadBalancers: [
            ...group.loadBalancers.filter((a) => a.loadBalancerId !== body.loadBalancerId),
            toAttachment(body),
          ],
        }))
      },
    }),
    route({
      method: 'delete',
      path: '/v1/groups/:groupId/load-balancers/:loadBalancerId',
      tag: 'scaling groups',
      summary: 'Detach a load balancer: its backends drain and leave',
      handle: ({ params }) =>
        attach(groupId(params), (group) => {
          attached(
            group.loadBalancers,
            (a) => a.loadBalancerId === params.loadBalancerId,
            `load balancer ${params.loadBalancerId}`,
            group,
          )
          return { loadBalancers: group.loadBalancers.filter((a) => a.loadBalancerId !== params.loadBalancerId) }
        }),
    }),
    route({
      method: 'post',
      path: '/v1/groups/:groupId/databases',
      tag: 'scaling groups',
      summary: "Attach a database: the group's addresses join its allowlist",
      body: s.attachDatabaseBody,
      handle: async ({ params, body }) => {
        await requireDatabase(body.databaseId)
        return attach(groupId(params), (group) => ({
          databaseIds: [...group.databaseIds.filter((id) => id !== body.databaseId), body.databaseId],
        }))
      },
    }),
    route({
      method: 'delete',
      path: '/v1/groups/:groupId/databases/:databaseId',
      tag: 'scaling groups',
      summary: 'Detach a database: its allowlist loses the addresses',
      handle: ({ params }) =>
        attach(groupId(params), (group) => {
          attached(group.databaseIds, (id) => id === params.databaseId, `database ${params.databaseId}`, group)
          return { databaseIds: group.databaseIds.filter((id) => id !== params.databaseId) }
        }),
    }),
  ]
}
