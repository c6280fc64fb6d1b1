/**
 * Scaling policies as Billow rules: Create/Modify/Delete/DescribeScalingPolicies and
 * ExecuteScalingPolicy (which honours the group's cooldown only when HonorCooldown is true).
 * A Tencent SIMPLE policy carries its alarm (MetricAlarm): Billow keeps it as an alarm of the
 * policy's group, named after the rule, that executes the rule; Create/Modify/Delete keep the two
 * in step and DescribeScalingPolicies reads MetricAlarm back from the alarm (docs/api-tencent.md).
 */
import { z } from 'zod'
import type { Alarm, Comparison } from '../../../core/alarms/alarm.ts'
import { BillowError } from '../../../core/errors.ts'
import type { ScalingGroupId } from '../../../core/ids.ts'
import type { Statistic } from '../../../core/metrics/metric.ts'
import type { AdjustmentType } from '../../../core/types.ts'
import type { AlarmInput } from '../../../service/alarms.ts'
import type { RuleView } from '../../../service/rules.ts'
import { type TencentAction, type TencentContext, tencentAction } from '../action.ts'
import { filters, id, ignore, integer, page, paging, passes, readFilters, text } from '../param-types.ts'

const ADJUSTMENT_MAX = 10_000
const LOOKUP_IDS_MAX = 100

const ADJUSTMENT_TYPES = {
  CHANGE_IN_CAPACITY: 'QuantityChangeInCapacity',
  EXACT_CAPACITY: 'TotalCapacity',
  PERCENT_CHANGE_IN_CAPACITY: 'PercentChangeInCapacity',
} as const satisfies Record<string, AdjustmentType>
const TENCENT_ADJUSTMENT_TYPE: Readonly<Record<AdjustmentType, keyof typeof ADJUSTMENT_TYPES>> = {
  QuantityChangeInCapacity: 'CHANGE_IN_CAPACITY',
  TotalCapacity: 'EXACT_CAPACITY',
  PercentChangeInCapacity: 'PERCENT_CHANGE_IN_CAPACITY',
}
const adjustmentType = z.enum(['CHANGE_IN_CAPACITY', 'EXACT_CAPACITY', 'PERCENT_CHANGE_IN_CAPACITY'])

const metricAlarm = z.strictObject({
  ComparisonOperator: z.enum([
    'GREATER_THAN',
    'GREATER_THAN_OR_EQUAL_TO',
    'LESS_THAN',
    'LESS_THAN_OR_EQUAL_TO',
    'EQUAL_TO',
    'NOT_EQUAL_TO',
  ]),
  MetricName: z.enum([
    'CPU_UTILIZATION',
    'MEM_UTILIZATION',
    'LAN_TRAFFIC_OUT',
    'LAN_TRAFFIC_IN',
    'WAN_TRAFFIC_OUT',
    'WAN_TRAFFIC_IN',
    'TCP_CURR_ESTAB',
  ]),
  Threshold: integer(0, 1_000_000_000),
  Period: z.union([z.literal(60), z.literal(300)]),
  ContinuousTime: integer(1, 10),
  Statistic: z.enum(['AVERAGE', 'MAXIMUM', 'MINIMUM']).optional(),
  PreciseThreshold: z.number().min(0).max(1_000_000_000).optional(),
})

type MetricAlarm = z.output<typeof metricAlarm>
type TencentComparison = MetricAlarm['ComparisonOperator']
type TencentMetric = MetricAlarm['MetricName']
type TencentStatistic = NonNullable<MetricAlarm['Statistic']>

/** Tencent's comparisons Billow evaluates; EQUAL_TO and NOT_EQUAL_TO are refused. */
const COMPARISONS: Partial<Record<TencentComparison, Comparison>> = {
  GREATER_THAN: '>',
  GREATER_THAN_OR_EQUAL_TO: '>=',
  LESS_THAN: '<',
  LESS_THAN_OR_EQUAL_TO: '<=',
}
/** Tencent's metrics Billow measures (built-in metrics); the traffic metrics are refused. */
const METRICS: Partial<Record<TencentMetric, string>> = {
  CPU_UTILIZATION: 'CpuUtilization',
  MEM_UTILIZATION: 'MemoryUtilization',
  TCP_CURR_ESTAB: 'ActiveConnections',
}
const STATISTICS: Readonly<Record<TencentStatistic, Statistic>> = {
  AVERAGE: 'Average',
  MAXIMUM: 'Maximum',
  MINIMUM: 'Minimum',
}
const reverse = <K extends string, V extends string>(record: Partial<Record<K, V>>) =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [value, key])) as Partial<Record<V, K>>
const TENCENT_COMPARISONS = reverse(COMPARISONS)
const TENCENT_METRICS = reverse(METRICS)
const TENCENT_STATISTICS = reverse(STATISTICS)

/** The alarm that carries a policy's MetricAlarm is named after the policy's rule. */
const alarmName = (ruleId: string) => `scaling-policy-${ruleId}`

const refuse = (field: string, message: string): never => {
  throw new BillowError('InvalidParameterValue', `MetricAlarm.${field}: ${message}`, { field: `MetricAlarm.${field}` })
}

function alarmSpec(alarm: MetricAlarm): Pick<AlarmInput, 'conditions' | 'periodSeconds' | 'evaluationCount'> {
  const comparison =
    COMPARISONS[alarm.ComparisonOperator] ??
    refuse('ComparisonOperator', `${alarm.ComparisonOperator} is not supported`)
  const metric =
    METRICS[alarm.MetricName] ?? refuse('MetricName', `${alarm.MetricName} is not a metric Billow measures`)
  return {
    conditions: [
      {
        id: 'm1',
        metric: { kind: 'Builtin', name: metric },
        statistic: STATISTICS[alarm.Statistic ?? 'AVERAGE'],
        comparison,
        threshold: alarm.PreciseThreshold ?? alarm.Threshold,
      },
    ],
    periodSeconds: alarm.Period,
    evaluationCount: alarm.ContinuousTime,
  }
}

function tencentMetricAlarm(alarm: Alarm) {
  const condition = alarm.conditions[0]
  if (condition?.metric.kind !== 'Builtin') return undefined
  return {
    ComparisonOperator: TENCENT_COMPARISONS[condition.comparison],
    MetricName: TENCENT_METRICS[condition.metric.name as keyof typeof TENCENT_METRICS],
    Threshold: Math.round(condition.threshold),
    PreciseThreshold: condition.threshold,
    Period: alarm.periodSeconds,
    ContinuousTime: alarm.evaluationCount,
    Statistic: TENCENT_STATISTICS[condition.statistic as keyof typeof TENCENT_STATISTICS],
  }
}

async function policyAlarm(context: TencentContext, rule: RuleView): Promise<Alarm | undefined> {
  const alarms = await context.services.alarms.list({ groupId: rule.groupId })
  return alarms.find((alarm) => alarm.name === alarmName(rule.id) && alarm.ownerRuleId === null)
}

/** Only SIMPLE policies exist in Billow so far; TARGET_TRACKING is refused, not half-done. */
const policyType = z.literal('SIMPLE', { error: 'only SIMPLE is supported' })

const policyFields = {
  ScalingPolicyName: text(60).min(1).optional(),
  AdjustmentType: adjustmentType.optional(),
  AdjustmentValue: integer(-ADJUSTMENT_MAX, ADJUSTMENT_MAX).optional(),
  Cooldown: integer(0, 86_400).optional(),
  MetricAlarm: metricAlarm.optional(),
  ...ignore([
    'PredefinedMetricType',
    'TargetValue',
    'EstimatedInstanceWarmup',
    'DisableScaleIn',
    'NotificationUserGroupIds',
  ]),
}

const tencentPolicy = (rule: RuleView, alarm: Alarm | undefined) => ({
  AutoScalingGroupId: rule.groupId,
  AutoScalingPolicyId: rule.id,
  ScalingPolicyType: 'SIMPLE',
  ScalingPolicyName: rule.name,
  AdjustmentType: TENCENT_ADJUSTMENT_TYPE[rule.adjustmentType],
  AdjustmentValue: rule.adjustmentValue,
  Cooldown: rule.cooldownSeconds ?? undefined,
  NotificationUserGroupIds: [],
  MetricAlarm: alarm ? tencentMetricAlarm(alarm) : undefined,
})

export const scalingPolicyActions: readonly TencentAction[] = [
  tencentAction({
    name: 'CreateScalingPolicy',
    params: z.strictObject({
      AutoScalingGroupId: id,
      ...policyFields,
      ScalingPolicyName: text(60).min(1),
      ScalingPolicyType: policyType.optional(),
    }),
    errors: { NameConflict: 'InvalidParameterValue.ScalingPolicyNameDuplicate' },
    async handle(params, context) {
      const spec = params.MetricAlarm ? alarmSpec(params.MetricAlarm) : undefined
      const rule = await context.services.rules.create({
        groupId: params.AutoScalingGroupId as ScalingGroupId,
        name: params.ScalingPolicyName,
        adjustmentType: ADJUSTMENT_TYPES[params.AdjustmentType ?? 'CHANGE_IN_CAPACITY'],
        adjustmentValue: params.AdjustmentValue ?? 0,
        cooldownSeconds: params.Cooldown ?? null,
      })
      if (spec) {
        try {
          await context.services.alarms.create({
            groupId: rule.groupId,
            name: alarmName(rule.id),
            description: `MetricAlarm of scaling policy ${rule.name}`,
            ...spec,
            actions: [rule.id],
          })
        } catch (error) {
          // No policy without its alarm: undo the rule.
          await context.services.rules.remove(rule.id)
          throw error
        }
      }
      return { AutoScalingPolicyId: rule.id }
    },
  }),

  tencentAction({
    name: 'ModifyScalingPolicy',
    params: z.strictObject({ AutoScalingPolicyId: id, ...policyFields }),
    async handle(params, context) {
      const spec = params.MetricAlarm ? alarmSpec(params.MetricAlarm) : undefined
      const current = await context.services.rules.get(params.AutoScalingPolicyId)
      if (spec) {
        const alarm = await policyAlarm(context, current)
        if (alarm) await context.services.alarms.modify(alarm.id, spec)
        else {
          await context.services.alarms.create({
            groupId: current.groupId,
            name: alarmName(current.id),
            description: `MetricAlarm of scaling policy ${current.name}`,
            ...spec,
            actions: [current.id],
          })
        }
      }
      await context.services.rules.modify(current.id, {
        name: params.ScalingPolicyName,
        adjustmentType: params.AdjustmentType ? ADJUSTMENT_TYPES[params.AdjustmentType] : undefined,
        adjustmentValue: params.AdjustmentValue,
        cooldownSeconds: params.Cooldown,
      })
      return {}
    },
  }),

  tencentAction({
    name: 'DeleteScalingPolicy',
    params: z.strictObject({ AutoScalingPolicyId: id }),
    async handle(params, context) {
      const rule = await context.services.rules.get(params.AutoScalingPolicyId)
      const alarm = await policyAlarm(context, rule)
      if (alarm) await context.services.alarms.remove(alarm.id)
      await context.services.rules.remove(rule.id)
      return {}
    },
  }),

  tencentAction({
    name: 'DescribeScalingPolicies',
    params: z.strictObject({
      AutoScalingPolicyIds: z.array(id).max(LOOKUP_IDS_MAX).optional(),
      Filters: filters,
      ...paging,
    }),
    async handle(params, context) {
      const selected = readFilters(
        params.Filters,
        ['auto-scaling-policy-id', 'auto-scaling-group-id', 'scaling-policy-name', 'scaling-policy-type'],
        params.AutoScalingPolicyIds,
      )
      const ids = params.AutoScalingPolicyIds ?? []
      const rules = (await context.services.rules.list({})).filter(
        (rule) =>
          (ids.length === 0 || ids.includes(rule.id)) &&
          passes(selected, 'auto-scaling-policy-id', rule.id) &&
          passes(selected, 'auto-scaling-group-id', rule.groupId) &&
          passes(selected, 'scaling-policy-name', rule.name) &&
          passes(selected, 'scaling-policy-type', 'SIMPLE'),
      )
      const { items, TotalCount } = page(rules, params)
      const alarms = new Map(
        (await context.services.alarms.list({}))
          .filter((alarm) => alarm.ownerRuleId === null)
          .map((alarm) => [alarm.name, alarm] as const),
      )
      return {
        TotalCount,
        ScalingPolicySet: items.map((rule) => tencentPolicy(rule, alarms.get(alarmName(rule.id)))),
      }
    },
  }),

  tencentAction({
    name: 'ExecuteScalingPolicy',
    params: z.strictObject({
      AutoScalingPolicyId: id,
      HonorCooldown: z.boolean().optional(),
      TriggerSource: z.enum(['API', 'CLOUD_MONITOR']).optional(),
    }),
    async handle(params, context) {
      const activity = await context.services.rules.execute(params.AutoScalingPolicyId, {
        ignoreCooldown: params.HonorCooldown !== true,
      })
      return { ActivityId: activity.id }
    },
  }),
]
