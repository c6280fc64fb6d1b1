/**
 * Scaling policies as Billow rules: Create/Modify/Delete/DescribeScalingPolicies and
 * ExecuteScalingPolicy (which honours the group's cooldown only when HonorCooldown is true).
 * A Tencent SIMPLE policy carries its alarm (MetricAlarm); Billow has no alarm engine yet, so the
 * alarm is checked for form and not kept (docs/api-tencent.md).
 */
import { z } from 'zod'
import type { ScalingGroupId } from '../../../core/ids.ts'
import type { AdjustmentType } from '../../../core/types.ts'
import type { RuleView } from '../../../service/rules.ts'
import { type TencentAction, tencentAction } from '../action.ts'
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

const tencentPolicy = (rule: RuleView) => ({
  AutoScalingGroupId: rule.groupId,
  AutoScalingPolicyId: rule.id,
  ScalingPolicyType: 'SIMPLE',
  ScalingPolicyName: rule.name,
  AdjustmentType: TENCENT_ADJUSTMENT_TYPE[rule.adjustmentType],
  AdjustmentValue: rule.adjustmentValue,
  Cooldown: rule.cooldownSeconds ?? undefined,
  NotificationUserGroupIds: [],
  MetricAlarms: [],
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
      const rule = await context.services.rules.create({
        groupId: params.AutoScalingGroupId as ScalingGroupId,
        name: params.ScalingPolicyName,
        adjustmentType: ADJUSTMENT_TYPES[params.AdjustmentType ?? 'CHANGE_IN_CAPACITY'],
        adjustmentValue: params.AdjustmentValue ?? 0,
        cooldownSeconds: params.Cooldown ?? null,
      })
      return { AutoScalingPolicyId: rule.id }
    },
  }),

  tencentAction({
    name: 'ModifyScalingPolicy',
    params: z.strictObject({ AutoScalingPolicyId: id, ...policyFields }),
    async handle(params, context) {
      await context.services.rules.modify(params.AutoScalingPolicyId, {
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
      await context.services.rules.remove(params.AutoScalingPolicyId)
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
      return { TotalCount, ScalingPolicySet: items.map(tencentPolicy) }
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
