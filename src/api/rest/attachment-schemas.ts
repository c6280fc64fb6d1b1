/** Request shapes for load balancers, databases and a group's attachments of them. */
import { z } from 'zod'
import { DATABASE_ENGINES } from '../../core/database.ts'
import { BALANCER_DRIVERS, BALANCING_ALGORITHMS, LISTENER_PROTOCOLS } from '../../core/load-balancer.ts'
import { HEALTH_CHECK_TYPES } from '../../core/types.ts'

const TEXT_MAX = 256
const text = z.string().max(TEXT_MAX)
const id = z.string().min(1).max(64)
const count = z.number().int()

const listener = z.strictObject({ protocol: z.enum(LISTENER_PROTOCOLS), host: text.optional(), port: count })
const thresholds = {
  intervalSeconds: count,
  timeoutSeconds: count,
  healthyThreshold: count,
  unhealthyThreshold: count,
}
const healthCheck = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('HTTP'),
    path: text,
    expectedStatusMin: count,
    expectedStatusMax: count,
    ...thresholds,
  }),
  z.strictObject({ type: z.literal('TCP'), ...thresholds }),
])
const loadBalancerFields = {
  name: text,
  driver: z.enum(BALANCER_DRIVERS).optional(),
  listeners: z.array(listener).min(1).max(16),
  algorithm: z.enum(BALANCING_ALGORITHMS).optional(),
  healthCheck: healthCheck.optional(),
  drainSeconds: count.optional(),
}
export const createLoadBalancerBody = z.strictObject(loadBalancerFields)
export const modifyLoadBalancerBody = z.strictObject(loadBalancerFields).partial()

const databaseFields = {
  name: text,
  engine: z.enum(DATABASE_ENGINES),
  host: text,
  port: count,
  adminUser: text,
  adminPassword: text,
  clientUser: text,
  clientDatabase: text.optional(),
}
export const createDatabaseBody = z.strictObject(databaseFields)
export const modifyDatabaseBody = z.strictObject(databaseFields).partial()

export const loadBalancerAttachment = z.strictObject({
  loadBalancerId: id,
  port: count.nullable().optional(),
  weight: count.optional(),
})

/** Fields a group create or modify takes for its attachments and health check. */
export const groupAttachmentFields = {
  loadBalancers: z.array(loadBalancerAttachment).max(16).optional(),
  databaseIds: z.array(id).max(16).optional(),
  healthCheckType: z.enum(HEALTH_CHECK_TYPES).optional(),
  healthCheckGracePeriodSeconds: count.optional(),
}

export const attachLoadBalancerBody = loadBalancerAttachment
export const attachDatabaseBody = z.strictObject({ databaseId: id })
