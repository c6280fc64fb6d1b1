/**
 * /v1/scheduled-tasks: scheduled mode. Tasks run a rule, or set min / max / desired, at a time
 * or on a recurrence, in the task's time zone; their history shows every run and every skip.
 */
import { z } from 'zod'
import type { ScalingGroupId, ScheduledTaskId } from '../../core/ids.ts'
import type { Services } from '../../service/services.ts'
import { type Route, route } from './route.ts'

/** Strings in requests are short; an ARI is the longest thing a task names. */
const TEXT_MAX = 256
const ID_MAX = 64
/** History entries one call returns at most. */
const HISTORY_LIMIT_MAX = 500

const text = z.string().max(TEXT_MAX)
const count = z.number().int()
const size = count.nullable().optional()

const recurrence = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('Daily'), intervalDays: count }),
  z.strictObject({ type: z.literal('Weekly'), daysOfWeek: z.array(count).max(7) }),
  z.strictObject({ type: z.literal('Monthly'), daysOfMonth: z.array(count).max(31) }),
  z.strictObject({ type: z.literal('Cron'), expression: z.string().max(TEXT_MAX) }),
])

const action = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('ExecuteRule'), ruleId: z.string().min(1).max(TEXT_MAX) }),
  z.strictObject({ kind: z.literal('SetGroupSize'), minSize: size, maxSize: size, desiredCapacity: size }),
])

const taskFields = {
  groupId: z.string().min(1).max(ID_MAX),
  name: text,
  description: text.nullable().optional(),
  timeZone: text.optional(),
  launchTime: text,
  recurrence: recurrence.nullable().optional(),
  recurrenceEndTime: text.nullable().optional(),
  windowEndTime: text.nullable().optional(),
  launchExpirationSeconds: count.optional(),
  enabled: z.boolean().optional(),
  action,
}
export const createScheduledTaskBody = z.strictObject(taskFields)
export const modifyScheduledTaskBody = z.strictObject(taskFields).omit({ groupId: true }).partial()
const listQuery = z.strictObject({ groupId: z.string().min(1).max(ID_MAX).optional() })
const historyQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(HISTORY_LIMIT_MAX).optional() })
const nextQuery = z.strictObject({ count: z.coerce.number().int().optional() })
const emptyBody = z.strictObject({})

export function scheduledTaskRoutes(services: Services): Route[] {
  const tasks = services.scheduledTasks
  const taskId = (params: Readonly<Record<string, string>>) => params.taskId as ScheduledTaskId
  const tag = 'scheduled tasks'
  return [
    route({
      method: 'get',
      path: '/v1/scheduled-tasks',
      tag,
      summary: 'List scheduled tasks, each with its next three occurrences',
      query: listQuery,
      handle: async ({ query }) => ({
        scheduledTasks: await tasks.list(query.groupId ? { groupId: query.groupId as ScalingGroupId } : {}),
      }),
    }),
    route({
      method: 'post',
      path: '/v1/scheduled-tasks',
      tag,
      summary: 'Create a scheduled task',
      status: 201,
      body: createScheduledTaskBody,
      handle: ({ body }) => tasks.create({ ...body, groupId: body.groupId as ScalingGroupId }),
    }),
    route({
      method: 'get',
      path: '/v1/scheduled-tasks/:taskId',
      tag,
      summary: 'Describe a scheduled task',
      handle: ({ params }) => tasks.get(taskId(params)),
    }),
    route({
      method: 'patch',
      path: '/v1/scheduled-tasks/:taskId',
      tag,
      summary: 'Modify a scheduled task (a new schedule starts from now)',
      body: modifyScheduledTaskBody,
      handle: ({ params, body }) => tasks.modify(taskId(params), body),
    }),
    route({
      method: 'delete',
      path: '/v1/scheduled-tasks/:taskId',
      tag,
      summary: 'Delete a scheduled task and its history',
      status: 204,
      handle: ({ params }) => tasks.remove(taskId(params)),
    }),
    route({
      method: 'post',
      path: '/v1/scheduled-tasks/:taskId/enable',
      tag,
      summary: 'Enable a scheduled task (from now on)',
      body: emptyBody,
      handle: ({ params }) => tasks.setEnabled(taskId(params), true),
    }),
    route({
      method: 'post',
      path: '/v1/scheduled-tasks/:taskId/disable',
      tag,
      summary: 'Disable a scheduled task',
      body: emptyBody,
      handle: ({ params }) => tasks.setEnabled(taskId(params), false),
    }),
    route({
      method: 'get',
      path: '/v1/scheduled-tasks/:taskId/history',
      tag,
      summary: "A task's runs and skips, newest occurrence first",
      query: historyQuery,
      handle: async ({ params, query }) => ({
        runs: await tasks.history(taskId(params), { limit: query.limit ?? 100 }),
      }),
    }),
    route({
      method: 'get',
      path: '/v1/scheduled-tasks/:taskId/next-occurrences',
      tag,
      summary: "A task's next occurrences, in local time and UTC",
      query: nextQuery,
      handle: ({ params, query }) => tasks.nextOccurrences(taskId(params), query.count ?? 3),
    }),
  ]
}
