/**
 * Scheduled tasks: Create/Modify/Delete/DescribeScheduledTasks. ESS times are UTC to the minute
 * (`2026-01-05T03:00Z`), so tasks made here keep UTC as their time zone. A task either executes
 * a rule (ScheduledAction = its ARI; the group is the rule's) or sets a group's sizes
 * (ScalingGroupId with MinValue / MaxValue / DesiredCapacity).
 */
import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { formatRuleAri } from '../../../core/ari.ts'
import { BillowError } from '../../../core/errors.ts'
import type { ScalingGroupId, ScheduledTaskId } from '../../../core/ids.ts'
import type { Recurrence, ScheduledAction } from '../../../core/schedule/scheduled-task.ts'
import type { ScheduledActionInput } from '../../../service/scheduled-task-action.ts'
import type { ScheduledTaskView } from '../../../service/scheduled-tasks.ts'
import { type EssAction, type EssContext, essAction } from '../action.ts'
import { defined, minuteTime, page, wrapped } from '../format.ts'
import { boolean, id, ignore, integer, list, paging, text } from '../param-types.ts'

const SIZE_MAX = 2_000
const LOOKUP_IDS_MAX = 20
const UTC = 'UTC'

const recurrenceType = z.enum(['Daily', 'Weekly', 'Monthly', 'Cron'])

const taskFields = {
  ScheduledTaskName: text(64).optional(),
  Description: text(200).optional(),
  ScheduledAction: text(256).optional(),
  ScalingGroupId: id.optional(),
  MinValue: integer(0, SIZE_MAX).optional(),
  MaxValue: integer(0, SIZE_MAX).optional(),
  DesiredCapacity: integer(0, SIZE_MAX).optional(),
  LaunchTime: text(32).optional(),
  RecurrenceType: recurrenceType.optional(),
  RecurrenceValue: text(100).optional(),
  RecurrenceEndTime: text(32).optional(),
  TaskEnabled: boolean.optional(),
  LaunchExpirationTime: integer(0, 21_600).optional(),
  ...ignore(['ClientToken']),
}

type TaskParams = {
  RecurrenceType?: z.output<typeof recurrenceType>
  RecurrenceValue?: string
}

/** ESS RecurrenceValue: Daily "n" days apart, Weekly "0,3" (Sunday = 0), Monthly "A-B" (days A to B), Cron an expression. */
function recurrenceOf(params: TaskParams): Recurrence | null | undefined {
  if (params.RecurrenceType === undefined && params.RecurrenceValue === undefined) return undefined
  if (params.RecurrenceType === undefined || params.RecurrenceValue === undefined) {
    const missing = params.RecurrenceType === undefined ? 'RecurrenceType' : 'RecurrenceValue'
    throw new BillowError('MissingParameter', `${missing}: is required with the other recurrence parameters`, {
      field: missing,
    })
  }
  const value = params.RecurrenceValue.trim()
  const numbers = (pattern: RegExp) => {
    if (!pattern.test(value)) {
      throw new BillowError(
        'InvalidParameterValue',
        `RecurrenceValue: "${value}" does not fit ${params.RecurrenceType}`,
        {
          field: 'RecurrenceValue',
        },
      )
    }
    return value.split(/[,-]/).map(Number)
  }
  switch (params.RecurrenceType) {
    case 'Daily':
      return { type: 'Daily', intervalDays: numbers(/^\d{1,2}$/)[0] as number }
    case 'Weekly':
      return { type: 'Weekly', daysOfWeek: [...new Set(numbers(/^[0-6](,[0-6]){0,6}$/))] }
    case 'Monthly': {
      const [from = 1, to = from] = numbers(/^\d{1,2}(-\d{1,2})?$/)
      return {
        type: 'Monthly',
        daysOfMonth: Array.from({ length: Math.max(0, to - from + 1) }, (_, index) => from + index),
      }
    }
    case 'Cron':
      return { type: 'Cron', expression: value }
  }
}

function recurrenceValue(recurrence: Recurrence): string {
  switch (recurrence.type) {
    case 'Daily':
      return String(recurrence.intervalDays)
    case 'Weekly':
      return recurrence.daysOfWeek.join(',')
    case 'Monthly': {
      const days = recurrence.daysOfMonth
      const contiguous = days.every((day, index) => index === 0 || day === (days[index - 1] as number) + 1)
      return contiguous && days.length > 0 ? `${days[0]}-${days[days.length - 1]}` : days.join(',')
    }
    case 'Cron':
      return recurrence.expression
  }
}

/** The action the parameters name; sizes not given keep the values of `current` (ModifyScheduledTask). */
function actionOf(
  params: { MinValue?: number; MaxValue?: number; DesiredCapacity?: number; ScheduledAction?: string },
  current?: ScheduledAction,
) {
  const sizes = params.MinValue !== undefined || params.MaxValue !== undefined || params.DesiredCapacity !== undefined
  if (params.ScheduledAction !== undefined && sizes) {
    throw new BillowError('InvalidParameterValue', 'ScheduledAction: give a rule or sizes, not both', {
      field: 'ScheduledAction',
    })
  }
  if (params.ScheduledAction !== undefined) {
    return { kind: 'ExecuteRule', ruleId: params.ScheduledAction } satisfies ScheduledActionInput
  }
  if (!sizes) return undefined
  const before = current?.kind === 'SetGroupSize' ? current : undefined
  return {
    kind: 'SetGroupSize',
    minSize: params.MinValue ?? before?.minSize ?? null,
    maxSize: params.MaxValue ?? before?.maxSize ?? null,
    desiredCapacity: params.DesiredCapacity ?? before?.desiredCapacity ?? null,
  } satisfies ScheduledActionInput
}

function essTask(task: ScheduledTaskView, context: EssContext) {
  const action = task.action
  return defined({
    ScheduledTaskId: task.id,
    ScheduledTaskName: task.name,
    Description: task.description ?? undefined,
    ScalingGroupId: task.groupId,
    ScheduledAction:
      action.kind === 'ExecuteRule'
        ? formatRuleAri({ region: context.region, accountId: context.accountId, ruleId: action.ruleId })
        : undefined,
    MinValue: action.kind === 'SetGroupSize' ? (action.minSize ?? undefined) : undefined,
    MaxValue: action.kind === 'SetGroupSize' ? (action.maxSize ?? undefined) : undefined,
    DesiredCapacity: action.kind === 'SetGroupSize' ? (action.desiredCapacity ?? undefined) : undefined,
    LaunchTime: minuteTime(task.launch.atMs),
    RecurrenceType: task.recurrence?.type,
    RecurrenceValue: task.recurrence ? recurrenceValue(task.recurrence) : undefined,
    RecurrenceEndTime: minuteTime(task.recurrenceEndAtMs),
    LaunchExpirationTime: task.launchExpirationSeconds,
    TaskEnabled: task.enabled,
  })
}

export const scheduledTaskActions: readonly EssAction[] = [
  essAction({
    name: 'CreateScheduledTask',
    params: z.strictObject({ ...taskFields, LaunchTime: text(32) }),
    errors: { NameConflict: { code: 'InvalidScheduledTaskName.Duplicate', status: 400 } },
    async handle(params, context) {
      const action = actionOf(params)
      if (action === undefined) {
        throw new BillowError('MissingParameter', 'ScheduledAction: give a rule ARI, or ScalingGroupId with sizes', {
          field: 'ScheduledAction',
        })
      }
      const groupId =
        action.kind === 'ExecuteRule'
          ? (await context.services.rules.get(action.ruleId)).groupId
          : (params.ScalingGroupId as ScalingGroupId | undefined)
      if (groupId === undefined) {
        throw new BillowError('MissingParameter', 'ScalingGroupId: is required to set sizes', {
          field: 'ScalingGroupId',
        })
      }
      const recurrence = recurrenceOf(params)
      const task = await context.services.scheduledTasks.create({
        groupId,
        name: params.ScheduledTaskName ?? `scheduled-task-${randomBytes(4).toString('hex')}`,
        description: params.Description ?? null,
        timeZone: UTC,
        launchTime: params.LaunchTime,
        recurrence: recurrence ?? null,
        recurrenceEndTime: params.RecurrenceEndTime ?? null,
        ...(params.LaunchExpirationTime === undefined ? {} : { launchExpirationSeconds: params.LaunchExpirationTime }),
        enabled: params.TaskEnabled ?? true,
        action,
      })
      return { ScheduledTaskId: task.id }
    },
  }),

  essAction({
    name: 'ModifyScheduledTask',
    params: z.strictObject({ ScheduledTaskId: id, ...taskFields }),
    errors: { NameConflict: { code: 'InvalidScheduledTaskName.Duplicate', status: 400 } },
    async handle(params, context) {
      const recurrence = recurrenceOf(params)
      const id = params.ScheduledTaskId as ScheduledTaskId
      const current = await context.services.scheduledTasks.get(id)
      await context.services.scheduledTasks.modify(id, {
        name: params.ScheduledTaskName,
        description: params.Description,
        launchTime: params.LaunchTime,
        recurrence,
        recurrenceEndTime: params.RecurrenceEndTime,
        launchExpirationSeconds: params.LaunchExpirationTime,
        enabled: params.TaskEnabled,
        action: actionOf(params, current.action),
      })
      return {}
    },
  }),

  essAction({
    name: 'DeleteScheduledTask',
    params: z.strictObject({ ScheduledTaskId: id }),
    async handle(params, context) {
      await context.services.scheduledTasks.remove(params.ScheduledTaskId as ScheduledTaskId)
      return {}
    },
  }),

  essAction({
    name: 'DescribeScheduledTasks',
    params: z.strictObject({
      ScalingGroupId: id.optional(),
      ScheduledTaskId: list(id, LOOKUP_IDS_MAX).optional(),
      ScheduledTaskName: list(text(64), LOOKUP_IDS_MAX).optional(),
      ScheduledAction: list(text(256), LOOKUP_IDS_MAX).optional(),
      ...paging,
    }),
    async handle(params, context) {
      const groupId = params.ScalingGroupId as ScalingGroupId | undefined
      if (groupId !== undefined) await context.services.groups.get(groupId)
      const tasks = (await context.services.scheduledTasks.list(groupId === undefined ? {} : { groupId }))
        .map((task) => essTask(task, context))
        .filter(
          (task) =>
            (!params.ScheduledTaskId || params.ScheduledTaskId.includes(task.ScheduledTaskId)) &&
            (!params.ScheduledTaskName || params.ScheduledTaskName.includes(task.ScheduledTaskName)) &&
            (!params.ScheduledAction || params.ScheduledAction.includes(task.ScheduledAction ?? '')),
        )
      const { items, fields } = page(tasks, params)
      return { ...fields, ...wrapped('ScheduledTasks', 'ScheduledTask', items) }
    },
  }),
]
