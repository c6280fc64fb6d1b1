/**
 * Attach/DetachLoadBalancers: a group's balancer list, changed in one transaction with the read
 * it depends on. Classic CLB ids only (LoadBalancerIds); ForwardLoadBalancers (listener and
 * location ids of application CLBs) have no Billow counterpart and are refused.
 */
import { z } from 'zod'
import { BillowError } from '../../../core/errors.ts'
import type { LoadBalancerId, ScalingGroupId } from '../../../core/ids.ts'
import { type TencentAction, tencentAction } from '../action.ts'
import { id, list } from '../param-types.ts'

/** Tencent's default weight of an instance behind a load balancer. */
const LOAD_BALANCER_WEIGHT_DEFAULT = 10
const ATTACHMENTS_PER_CALL_MAX = 20

const params = z.strictObject({
  AutoScalingGroupId: id,
  LoadBalancerIds: list(id, ATTACHMENTS_PER_CALL_MAX).optional(),
  ForwardLoadBalancers: z.array(z.unknown()).max(ATTACHMENTS_PER_CALL_MAX).optional(),
})

function balancerIds(given: z.output<typeof params>): string[] {
  if (given.ForwardLoadBalancers?.length) {
    throw new BillowError('InvalidParameterValue', 'ForwardLoadBalancers: not supported; attach by LoadBalancerIds', {
      field: 'ForwardLoadBalancers',
    })
  }
  if (!given.LoadBalancerIds) {
    throw new BillowError('MissingParameter', 'LoadBalancerIds: is required', { field: 'LoadBalancerIds' })
  }
  return given.LoadBalancerIds
}

export const loadBalancerActions: readonly TencentAction[] = [
  tencentAction({
    name: 'AttachLoadBalancers',
    params,
    async handle(given, context) {
      const ids = balancerIds(given)
      await context.services.groups.modify(given.AutoScalingGroupId as ScalingGroupId, (group) => {
        const present = new Set(group.loadBalancers.map((attachment) => attachment.loadBalancerId as string))
        return {
          loadBalancers: [
            ...group.loadBalancers,
            ...[...new Set(ids)]
              .filter((loadBalancerId) => !present.has(loadBalancerId))
              .map((loadBalancerId) => ({
                loadBalancerId: loadBalancerId as LoadBalancerId,
                port: null,
                weight: LOAD_BALANCER_WEIGHT_DEFAULT,
              })),
          ],
        }
      })
      // Billow registers instances as they come; no activity is started for the attachment itself.
      return { ActivityId: '' }
    },
  }),

  tencentAction({
    name: 'DetachLoadBalancers',
    params,
    async handle(given, context) {
      const ids = balancerIds(given)
      await context.services.groups.modify(given.AutoScalingGroupId as ScalingGroupId, (group) => ({
        loadBalancers: group.loadBalancers.filter((attachment) => !ids.includes(attachment.loadBalancerId)),
      }))
      return { ActivityId: '' }
    },
  }),
]
