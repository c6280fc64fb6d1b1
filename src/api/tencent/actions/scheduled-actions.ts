/**
 * Scheduled actions: Create/Modify/Delete/DescribeScheduledActions. Tencent times are ISO 8601
 * with an offset and recurrences are cron expressions read in UTC+8, so tasks made here keep
 * Asia/Shanghai as their time zone and are shown at +08:00.
 */
import { z } from 'zod'
import type { ScalingGroupId, ScheduledTaskId } from '../../../core/ids.ts'
import type { ScheduledTaskView } from '../../../service/scheduled-tasks.ts'
import { type TencentAction, tencentAction } from '../action.ts'
import { filters, id, ignore, integer, isoTime, page, paging, passes, readFilters, text } from '../param-types.ts'

const SIZE_MAX = 2_000
const LOOKUP_IDS_MAX = 100
/** Tencent reads schedules on Beijing time, which has no daylight saving. */
const TENCENT_TIME_ZONE = 'Asia/Shanghai'
const OFFSET_MS = 8 * 60 * 60 * 1000

const time = z.iso.datetime({ offset: true })
const cron = text(128)

/** "2030-01-01T10:00:00+08:00", as Tencent shows times. */
const beijingTime = (atMs: number | null): string | undefined =>
  atMs === null ? undefined : `${new Date(atMs + OFFSET_MS).toISOString().slice(0, 19)}+08:00`

const tencentScheduledAction = (task: ScheduledTaskView) => ({
  ScheduledActionId: task.id,
  ScheduledActionName: task.name,
  AutoScalingGroupId: task.groupId,
  StartTime: beijingTime(task.launch.atMs),
  EndTime: beijingTime(task.recurrenceEndAtMs) ?? '',
  Recurrence: task.recurrence?.type === 'Cron' ? task.recurrence.expression : '',
  ScheduledType: task.recurrence ? 'CRONTAB' : 'ONCE',
  MinSize: task.action.kind === 'SetGroupSize' ? (task.action.minSize ?? undefined) : undefined,
  MaxSize: task.action.kind === 'SetGroupSize' ? (task.action.maxSize ?? undefined) : undefined,
  DesiredCapacity: task.action.kind === 'SetGroupSize' ? (task.action.desiredCapacity ?? undefined) : undefined,
  CreatedTime: isoTime(task.createdAtMs),
  DisableUpdateDesiredCapacity: false,
})

export const scheduledActionActions: readonly TencentAction[] = [
  tencentAction({
    name: 'CreateScheduledAction',
    params: z.strictObject({
      AutoScalingGroupId: id,
      ScheduledActionName: text(60).min(1),
      MaxSize: integer(0, SIZE_MAX),
      MinSize: integer(0, SIZE_MAX),
      DesiredCapacity: integer(0, SIZE_MAX),
      StartTime: time,
      EndTime: time.optional(),
      Recurrence: cron.optional(),
      ...ignore(['DisableUpdateDesiredCapacity']),
    }),
    errors: { NameConflict: 'InvalidParameterValue.ScheduledActionNameDuplicate' },
    async handle(params, context) {
      const task = await context.services.scheduledTasks.create({
        groupId: params.AutoScalingGroupId as ScalingGroupId,
        name: params.ScheduledActionName,
        timeZone: TENCENT_TIME_ZONE,
        launchTime: params.StartTime,
        recurrence: params.Recurrence ? { type: 'Cron', expression: params.Recurrence } : null,
        recurrenceEndTime: params.EndTime ?? null,
        action: {
          kind: 'SetGroupSize',
          minSize: params.MinSize,
          maxSize: params.MaxSize,
          desiredCapacity: params.DesiredCapacity,
        },
      })
      return { ScheduledActionId: task.id }
    },
  }),

  tencentAction({
    name: 'ModifyScheduledAction',
    params: z.strictObject({
      ScheduledActionId: id,
      ScheduledActionName: text(60).min(1).optional(),
      MaxSize: integer(0, SIZE_MAX).optional(),
      MinSize: integer(0, SIZE_MAX).optional(),
      DesiredCapacity: integer(0, SIZE_MAX).optional(),
      StartTime: time.optional(),
      EndTime: time.optional(),
      Recurrence: cron.optional(),
      ...ignore(['DisableUpdateDesiredCapacity']),
    }),
    errors: { NameConflict: 'InvalidParameterValue.ScheduledActionNameDuplicate' },
    async handle(params, context) {
      const id = params.ScheduledActionId as ScheduledTaskId
      const current = await context.services.scheduledTasks.get(id)
      const sizes = params.MinSize !== undefined || params.MaxSize !== undefined || params.DesiredCapacity !== undefined
      const before = current.action.kind === 'SetGroupSize' ? current.action : undefined
      await context.services.scheduledTasks.modify(id, {
        name: params.ScheduledActionName,
        launchTime: params.StartTime,
        recurrenceEndTime: params.EndTime,
        recurrence: params.Recurrence === undefined ? undefined : { type: 'Cron', expression: params.Recurrence },
        action: sizes
          ? {
              kind: 'SetGroupSize',
              minSize: params.MinSize ?? before?.minSize ?? null,
              maxSize: params.MaxSize ?? before?.maxSize ?? null,
              desiredCapacity: params.DesiredCapacity ?? before?.desiredCapacity ?? null,
            }
          : undefined,
      })
      return {}
    },
  }),

  tencentAction({
    name: 'DeleteScheduledAction',
    params: z.strictObject({ ScheduledActionId: id }),
    async handle(params, context) {
      await context.services.scheduledTasks.remove(params.ScheduledActionId as ScheduledTaskId)
      return {}
    },
  }),

  tencentAction({
    name: 'DescribeScheduledActions',
    params: z.strictObject({
      ScheduledActionIds: z.array(id).max(LOOKUP_IDS_MAX).optional(),
      Filters: filters,
      ...paging,
    }),
    async handle(params, context) {
      const selected = readFilters(
        params.Filters,
        ['scheduled-action-id', 'scheduled-action-name', 'auto-scaling-group-id'],
        params.ScheduledActionIds,
      )
      const ids = params.ScheduledActionIds ?? []
      const tasks = (await context.services.scheduledTasks.list({})).filter(
        (task) =>
          (ids.length === 0 || ids.includes(task.id)) &&
          passes(selected, 'scheduled-action-id', task.id) &&
          passes(selected, 'scheduled-action-name', task.name) &&
          passes(selected, 'auto-scaling-group-id', task.groupId),
      )
      const { items, TotalCount } = page(tasks, params)
      return { TotalCount, ScheduledActionSet: items.map(tencentScheduledAction) }
    },
  }),
]
