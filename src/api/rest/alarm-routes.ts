/**
 * /v1/alarms, /v1/metrics and /v1/groups/:groupId/decisions: dynamic mode. Alarms watch a
 * metric statistic over periods and run rules of their group while in ALARM; metrics are pushed
 * (custom) and queried; the decision log says why a group did or did not scale.
 */
import { z } from 'zod'
import { COMPARISONS } from '../../core/alarms/alarm.ts'
import { BillowError } from '../../core/errors.ts'
import type { InstanceId, ScalingGroupId } from '../../core/ids.ts'
import { STATISTICS } from '../../core/metrics/metric.ts'
import { HISTORY_LIMIT_MAX } from '../../service/alarms.ts'
import { PUT_POINTS_MAX } from '../../service/metrics.ts'
import type { Services } from '../../service/services.ts'
import { dimensionsSchema, metricSelectorSchema } from './metric-schemas.ts'
import { type Route, route } from './route.ts'

const TEXT_MAX = 256
const ID_MAX = 64

const text = z.string().max(TEXT_MAX)
const dimensions = dimensionsSchema

const condition = z.strictObject({
  id: z.string().max(32).optional(),
  metric: metricSelectorSchema,
  statistic: z.enum(STATISTICS),
  comparison: z.enum(COMPARISONS),
  threshold: z.number(),
})

const alarmFields = {
  groupId: z.string().min(1).max(ID_MAX),
  name: text,
  description: text.nullable().optional(),
  conditions: z.array(condition).max(10),
  expression: z.string().max(512).nullable().optional(),
  periodSeconds: z.number(),
  evaluationCount: z.number().int().optional(),
  actions: z.array(z.string().min(1).max(TEXT_MAX)).max(10),
  enabled: z.boolean().optional(),
}
export const createAlarmBody = z.strictObject(alarmFields)
export const modifyAlarmBody = z.strictObject(alarmFields).omit({ groupId: true }).partial()
const listQuery = z.strictObject({ groupId: z.string().min(1).max(ID_MAX).optional() })
const limitQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(HISTORY_LIMIT_MAX).optional() })
const emptyBody = z.strictObject({})

const putBody = z.strictObject({
  points: z
    .array(
      z.strictObject({
        namespace: text,
        name: text,
        dimensions: dimensions.optional(),
        value: z.number(),
        timestampMs: z.number().int().optional(),
      }),
    )
    .max(PUT_POINTS_MAX),
})

const metricQuery = z.strictObject({
  namespace: text.optional(),
  name: text,
  groupId: z.string().min(1).max(ID_MAX).optional(),
  instanceId: z.string().min(1).max(ID_MAX).optional(),
  /** JSON object, e.g. {"queue":"orders"}. */
  dimensions: z.string().max(2_048).optional(),
  statistic: z.enum(STATISTICS).default('Average'),
  periodSeconds: z.coerce.number().int().default(60),
  fromMs: z.coerce.number().int().optional(),
  toMs: z.coerce.number().int().optional(),
})

export function alarmRoutes(services: Services): Route[] {
  const { alarms, metrics } = services
  const alarmId = (params: Readonly<Record<string, string>>) => params.alarmId as string
  const tag = 'alarms'
  return [
    route({
      method: 'get',
      path: '/v1/alarms',
      tag,
      summary: 'List alarms',
      query: listQuery,
      handle: async ({ query }) => ({
        alarms: await alarms.list(query.groupId ? { groupId: query.groupId as ScalingGroupId } : {}),
      }),
    }),
    route({
      method: 'post',
      path: '/v1/alarms',
      tag,
      summary: 'Create an alarm',
      status: 201,
      body: createAlarmBody,
      handle: ({ body }) => alarms.create({ ...body, groupId: body.groupId as ScalingGroupId }),
    }),
    route({
      method: 'get',
      path: '/v1/alarms/:alarmId',
      tag,
      summary: 'Describe an alarm, with its state and why',
      handle: ({ params }) => alarms.get(alarmId(params)),
    }),
    route({
      method: 'patch',
      path: '/v1/alarms/:alarmId',
      tag,
      summary: 'Modify an alarm (its count of consecutive breaches starts again)',
      body: modifyAlarmBody,
      handle: ({ params, body }) => alarms.modify(alarmId(params), body),
    }),
    route({
      method: 'delete',
      path: '/v1/alarms/:alarmId',
      tag,
      summary: 'Delete an alarm and its history',
      status: 204,
      handle: ({ params }) => alarms.remove(alarmId(params)),
    }),
    route({
      method: 'post',
      path: '/v1/alarms/:alarmId/enable',
      tag,
      summary: 'Enable an alarm',
      body: emptyBody,
      handle: ({ params }) => alarms.setEnabled(alarmId(params), true),
    }),
    route({
      method: 'post',
      path: '/v1/alarms/:alarmId/disable',
      tag,
      summary: 'Disable an alarm',
      body: emptyBody,
      handle: ({ params }) => alarms.setEnabled(alarmId(params), false),
    }),
    route({
      method: 'get',
      path: '/v1/alarms/:alarmId/history',
      tag,
      summary: "An alarm's state changes and the values that caused them, newest first",
      query: limitQuery,
      handle: async ({ params, query }) => ({
        history: await alarms.history(alarmId(params), query.limit === undefined ? {} : { limit: query.limit }),
      }),
    }),
    route({
      method: 'get',
      path: '/v1/groups/:groupId/decisions',
      tag,
      summary: "Why the group did or did not scale: its alarms' decisions, newest first",
      query: limitQuery,
      handle: async ({ params, query }) => ({
        decisions: await alarms.decisions(
          params.groupId as ScalingGroupId,
          query.limit === undefined ? {} : { limit: query.limit },
        ),
      }),
    }),
    route({
      method: 'post',
      path: '/v1/metrics',
      tag: 'metrics',
      summary: 'Push custom metric points (a batch)',
      body: putBody,
      handle: ({ body }) => metrics.put(body.points),
    }),
    route({
      method: 'get',
      path: '/v1/metrics',
      tag: 'metrics',
      summary: 'A statistic per period of a built-in or custom metric, per instance or over a group',
      query: metricQuery,
      handle: async ({ query }) => {
        const parsedDimensions = query.dimensions === undefined ? undefined : parseDimensions(query.dimensions)
        return metrics.get({
          name: query.name,
          statistic: query.statistic,
          periodSeconds: query.periodSeconds,
          ...(query.fromMs === undefined ? {} : { fromMs: query.fromMs }),
          ...(query.toMs === undefined ? {} : { toMs: query.toMs }),
          ...(query.namespace === undefined ? {} : { namespace: query.namespace }),
          ...(query.groupId === undefined ? {} : { groupId: query.groupId as ScalingGroupId }),
          ...(query.instanceId === undefined ? {} : { instanceId: query.instanceId as InstanceId }),
          ...(parsedDimensions === undefined ? {} : { dimensions: parsedDimensions }),
        })
      },
    }),
  ]
}

function parseDimensions(textValue: string): Record<string, string> {
  try {
    return dimensions.parse(JSON.parse(textValue))
  } catch (error) {
    throw new BillowError('InvalidParameterValue', 'dimensions: must be a JSON object of strings', {
      field: 'dimensions',
      cause: error,
    })
  }
}
