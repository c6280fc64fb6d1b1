/**
 * Event-triggered tasks as Billow alarms: Create/Modify/Delete/Enable/Disable/DescribeAlarms.
 * One ESS alarm is one Billow alarm with one condition. AlarmTaskId is Billow's alarm id
 * (`alarm-…`, not ESS's `<asg-id>_<uuid>`). System MetricNames map to Billow's built-in metrics
 * (CpuUtilization, MemoryUtilization; Billow's own built-in names are taken as they are); a
 * custom MetricType reads a pushed custom metric of namespace `custom` with the Dimension.N
 * pairs. Period takes ESS's 15/60/120/300/900 and Billow's wider 1 s to 1 h.
 */
import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import type { Alarm, Comparison, MetricSelector } from '../../../core/alarms/alarm.ts'
import { formatRuleAri } from '../../../core/ari.ts'
import { BillowError } from '../../../core/errors.ts'
import type { ScalingGroupId } from '../../../core/ids.ts'
import { BUILTIN_METRICS, isBuiltinMetric } from '../../../core/metrics/metric.ts'
import { type EssAction, type EssContext, essAction } from '../action.ts'
import { defined, page, wrapped } from '../format.ts'
import { boolean, id, ignore, integer, list, paging, text } from '../param-types.ts'

const ACTIONS_MAX = 10
const DIMENSIONS_MAX = 10
const CUSTOM_NAMESPACE = 'custom'

/** ESS system metric names and the built-in Billow metric each reads. */
const SYSTEM_METRICS: Readonly<Record<string, string>> = {
  CpuUtilization: 'CpuUtilization',
  MemoryUtilization: 'MemoryUtilization',
}

/** A decimal number (Threshold). */
const decimal = z
  .string()
  .regex(/^-?\d{1,12}(\.\d{1,6})?$/, 'must be a number')
  .transform(Number)

const metricType = z.enum(['system', 'custom'])
const statistics = z.enum(['Average', 'Minimum', 'Maximum'])
const comparison = z.enum(['>=', '<=', '>', '<'])
const dimension = z.strictObject({ DimensionKey: text(64), DimensionValue: text(256) })

const alarmFields = {
  Name: text(64).min(1).optional(),
  Description: text(256).optional(),
  MetricName: text(128).min(1).optional(),
  MetricType: metricType.optional(),
  Statistics: statistics.optional(),
  Period: integer(1, 3_600).optional(),
  EvaluationCount: integer(1, 1_440).optional(),
  ComparisonOperator: comparison.optional(),
  Threshold: decimal.optional(),
  AlarmAction: list(text(256), ACTIONS_MAX).optional(),
  Dimension: list(dimension, DIMENSIONS_MAX).optional(),
  ...ignore(['GroupId', 'Effective', 'Expression', 'ExpressionsLogicOperator']),
}

function metricOf(
  type: 'system' | 'custom',
  name: string,
  dimensions: readonly { DimensionKey: string; DimensionValue: string }[] | undefined,
): MetricSelector {
  if (type === 'custom') {
    return {
      kind: 'Custom',
      namespace: CUSTOM_NAMESPACE,
      name,
      dimensions: Object.fromEntries((dimensions ?? []).map((item) => [item.DimensionKey, item.DimensionValue])),
    }
  }
  const builtin = SYSTEM_METRICS[name] ?? (isBuiltinMetric(name) ? name : undefined)
  if (builtin === undefined) {
    throw new BillowError(
      'InvalidParameterValue',
      `MetricName: "${name}" is not a system metric Billow measures; use one of ${[...new Set([...Object.keys(SYSTEM_METRICS), ...BUILTIN_METRICS])].join(', ')}`,
      { field: 'MetricName' },
    )
  }
  return { kind: 'Builtin', name: builtin }
}

function essAlarm(alarm: Alarm, context: EssContext) {
  const condition = alarm.conditions[0]
  const metric = condition?.metric
  const dimensions =
    metric?.kind === 'Custom'
      ? Object.entries(metric.dimensions).map(([DimensionKey, DimensionValue]) => ({ DimensionKey, DimensionValue }))
      : [{ DimensionKey: 'scaling_group', DimensionValue: alarm.groupId }]
  return defined({
    AlarmTaskId: alarm.id,
    Name: alarm.name,
    Description: alarm.description ?? undefined,
    ScalingGroupId: alarm.groupId,
    MetricName: metric?.kind === 'PromQL' ? undefined : metric?.name,
    MetricType: metric?.kind === 'Builtin' ? 'system' : 'custom',
    Statistics: condition?.statistic,
    ComparisonOperator: condition?.comparison,
    Threshold: condition?.threshold,
    Period: alarm.periodSeconds,
    EvaluationCount: alarm.evaluationCount,
    State: alarm.state,
    Enable: alarm.enabled,
    AlarmActions: {
      AlarmAction: alarm.actions.map((ruleId) =>
        formatRuleAri({ region: context.region, accountId: context.accountId, ruleId }),
      ),
    },
    Dimensions: { Dimension: dimensions },
  })
}

export const alarmActions: readonly EssAction[] = [
  essAction({
    name: 'CreateAlarm',
    params: z.strictObject({
      ...alarmFields,
      ScalingGroupId: id,
      MetricName: text(128).min(1),
      Threshold: decimal,
      AlarmAction: list(text(256), ACTIONS_MAX),
    }),
    async handle(params, context) {
      const alarm = await context.services.alarms.create({
        groupId: params.ScalingGroupId as ScalingGroupId,
        name: params.Name ?? `alarm-task-${randomBytes(4).toString('hex')}`,
        description: params.Description ?? null,
        conditions: [
          {
            metric: metricOf(params.MetricType ?? 'system', params.MetricName, params.Dimension),
            statistic: params.Statistics ?? 'Average',
            comparison: (params.ComparisonOperator ?? '>=') satisfies Comparison,
            threshold: params.Threshold,
          },
        ],
        periodSeconds: params.Period ?? 300,
        evaluationCount: params.EvaluationCount ?? 3,
        actions: params.AlarmAction,
      })
      return { AlarmTaskId: alarm.id }
    },
  }),

  essAction({
    name: 'ModifyAlarm',
    params: z.strictObject({ AlarmTaskId: id, ...alarmFields }),
    async handle(params, context) {
      const current = await context.services.alarms.get(params.AlarmTaskId)
      const before = current.conditions[0]
      const touchesCondition =
        params.MetricName !== undefined ||
        params.MetricType !== undefined ||
        params.Dimension !== undefined ||
        params.Statistics !== undefined ||
        params.ComparisonOperator !== undefined ||
        params.Threshold !== undefined
      let conditions: Parameters<typeof context.services.alarms.modify>[1]['conditions']
      if (touchesCondition && before) {
        const beforeType = before.metric.kind === 'Builtin' ? 'system' : 'custom'
        const beforeName = before.metric.kind === 'PromQL' ? before.metric.query : before.metric.name
        const beforeDimensions =
          before.metric.kind === 'Custom'
            ? Object.entries(before.metric.dimensions).map(([DimensionKey, DimensionValue]) => ({
                DimensionKey,
                DimensionValue,
              }))
            : undefined
        const metric =
          params.MetricName !== undefined || params.MetricType !== undefined || params.Dimension !== undefined
            ? metricOf(
                params.MetricType ?? beforeType,
                params.MetricName ?? beforeName,
                params.Dimension ?? beforeDimensions,
              )
            : before.metric
        conditions = [
          {
            id: before.id,
            metric,
            statistic: params.Statistics ?? before.statistic,
            comparison: params.ComparisonOperator ?? before.comparison,
            threshold: params.Threshold ?? before.threshold,
          },
        ]
      }
      await context.services.alarms.modify(current.id, {
        name: params.Name,
        description: params.Description,
        periodSeconds: params.Period,
        evaluationCount: params.EvaluationCount,
        actions: params.AlarmAction,
        conditions,
      })
      return { AlarmTaskId: current.id }
    },
  }),

  essAction({
    name: 'DeleteAlarm',
    params: z.strictObject({ AlarmTaskId: id }),
    async handle(params, context) {
      await context.services.alarms.remove(params.AlarmTaskId)
      return { AlarmTaskId: params.AlarmTaskId }
    },
  }),

  essAction({
    name: 'EnableAlarm',
    params: z.strictObject({ AlarmTaskId: id }),
    async handle(params, context) {
      await context.services.alarms.setEnabled(params.AlarmTaskId, true)
      return {}
    },
  }),

  essAction({
    name: 'DisableAlarm',
    params: z.strictObject({ AlarmTaskId: id }),
    async handle(params, context) {
      await context.services.alarms.setEnabled(params.AlarmTaskId, false)
      return {}
    },
  }),

  essAction({
    name: 'DescribeAlarms',
    params: z.strictObject({
      AlarmTaskId: id.optional(),
      ScalingGroupId: id.optional(),
      State: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']).optional(),
      IsEnable: boolean.optional(),
      MetricType: metricType.optional(),
      MetricName: text(128).optional(),
      ...paging,
    }),
    async handle(params, context) {
      const groupId = params.ScalingGroupId as ScalingGroupId | undefined
      if (groupId !== undefined) await context.services.groups.get(groupId)
      const alarms = (await context.services.alarms.list(groupId === undefined ? {} : { groupId }))
        .filter((alarm) => alarm.ownerRuleId === null)
        .map((alarm) => essAlarm(alarm, context))
        .filter(
          (alarm) =>
            (params.AlarmTaskId === undefined || alarm.AlarmTaskId === params.AlarmTaskId) &&
            (params.State === undefined || alarm.State === params.State) &&
            (params.IsEnable === undefined || alarm.Enable === params.IsEnable) &&
            (params.MetricType === undefined || alarm.MetricType === params.MetricType) &&
            (params.MetricName === undefined ||
              alarm.MetricName === (SYSTEM_METRICS[params.MetricName] ?? params.MetricName)),
        )
      const { items, fields } = page(alarms, params)
      return { ...fields, ...wrapped('AlarmList', 'Alarm', items) }
    },
  }),
]
