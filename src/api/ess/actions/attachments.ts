/**
 * Attach/DetachLoadBalancers and Attach/DetachDBInstances: a group's balancer and database
 * lists, changed in one transaction with the read they depend on (groups.modify with a function).
 * Billow applies them as the group's instances come and go; there is no activity to return.
 */
import { z } from 'zod'
import type { DatabaseId, LoadBalancerId, ScalingGroupId } from '../../../core/ids.ts'
import { type EssAction, essAction } from '../action.ts'
import { id, ignore, list } from '../param-types.ts'

/** ESS's default weight of an instance behind a load balancer. */
const LOAD_BALANCER_WEIGHT_DEFAULT = 50
const ATTACHMENTS_PER_CALL_MAX = 5
const IGNORED = [
  'ForceAttach',
  'ForceDetach',
  'Async',
  'ClientToken',
  'LoadBalancerConfig',
  'AttachMode',
  'Type',
  'ScalingGroupIdRelated',
]

const union = <T>(current: readonly T[], added: readonly T[]): T[] => [...new Set([...current, ...added])]

export const attachmentActions: readonly EssAction[] = [
  essAction({
    name: 'AttachLoadBalancers',
    params: z.strictObject({
      ScalingGroupId: id,
      LoadBalancer: list(id, ATTACHMENTS_PER_CALL_MAX),
      ...ignore(IGNORED),
    }),
    async handle(params, context) {
      await context.services.groups.modify(params.ScalingGroupId as ScalingGroupId, (group) => {
        const present = new Set(group.loadBalancers.map((attachment) => attachment.loadBalancerId as string))
        const added = [...new Set(params.LoadBalancer)].filter((loadBalancerId) => !present.has(loadBalancerId))
        return {
          loadBalancers: [
            ...group.loadBalancers,
            ...added.map((loadBalancerId) => ({
              loadBalancerId: loadBalancerId as LoadBalancerId,
              port: null,
              weight: LOAD_BALANCER_WEIGHT_DEFAULT,
            })),
          ],
        }
      })
      return {}
    },
  }),

  essAction({
    name: 'DetachLoadBalancers',
    params: z.strictObject({
      ScalingGroupId: id,
      LoadBalancer: list(id, ATTACHMENTS_PER_CALL_MAX),
      ...ignore(IGNORED),
    }),
    async handle(params, context) {
      await context.services.groups.modify(params.ScalingGroupId as ScalingGroupId, (group) => ({
        loadBalancers: group.loadBalancers.filter(
          (attachment) => !params.LoadBalancer.includes(attachment.loadBalancerId),
        ),
      }))
      return {}
    },
  }),

  essAction({
    name: 'AttachDBInstances',
    params: z.strictObject({ ScalingGroupId: id, DBInstance: list(id, ATTACHMENTS_PER_CALL_MAX), ...ignore(IGNORED) }),
    async handle(params, context) {
      await context.services.groups.modify(params.ScalingGroupId as ScalingGroupId, (group) => ({
        databaseIds: union(group.databaseIds, params.DBInstance as DatabaseId[]),
      }))
      return {}
    },
  }),

  essAction({
    name: 'DetachDBInstances',
    params: z.strictObject({ ScalingGroupId: id, DBInstance: list(id, ATTACHMENTS_PER_CALL_MAX), ...ignore(IGNORED) }),
    async handle(params, context) {
      await context.services.groups.modify(params.ScalingGroupId as ScalingGroupId, (group) => ({
        databaseIds: group.databaseIds.filter((databaseId) => !params.DBInstance.includes(databaseId)),
      }))
      return {}
    },
  }),
]
