/**
 * Scaling rules (simple rules): Create/Modify/Delete/DescribeScalingRules, ExecuteScalingRule by
 * ARI (idempotent on ClientToken; ESS executions ignore cooldown) and ScaleWithAdjustment.
 */
import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import type { ScalingGroupId } from '../../../core/ids.ts'
import { ADJUSTMENT_TYPES } from '../../../core/types.ts'
import type { RuleView } from '../../../service/rules.ts'
import { type EssAction, type EssContext, essAction } from '../action.ts'
import { defined, page, wrapped } from '../format.ts'
import { id, ignore, integer, list, paging, text } from '../param-types.ts'

const LOOKUP_IDS_MAX = 50
const ADJUSTMENT_MAX = 10_000
const adjustmentType = z.enum(ADJUSTMENT_TYPES)
/** Only simple rules exist in Billow so far; the other ESS types are refused, not half-done. */
const ruleType = z.literal('SimpleScalingRule', { error: 'only SimpleScalingRule is supported' })

const IGNORED_RULE_FIELDS = [
  'EstimatedInstanceWarmup',
  'PredictiveScalingMode',
  'PredictiveValueBehavior',
  'PredictiveValueBuffer',
  'PredictiveTaskBufferTime',
  'InitialMaxSize',
  'ScaleInEvaluationCount',
  'ScaleOutEvaluationCount',
  'MinSize',
  'MaxSize',
  'HybridMonitorNamespace',
  'HybridMetrics',
  'MetricType',
]

const ruleFields = {
  ScalingRuleName: text(64).optional(),
  AdjustmentType: adjustmentType.optional(),
  AdjustmentValue: integer(-ADJUSTMENT_MAX, ADJUSTMENT_MAX).optional(),
  Cooldown: integer(0, 86_400).optional(),
  MinAdjustmentMagnitude: integer(1, ADJUSTMENT_MAX).optional(),
  ScalingRuleType: ruleType.optional(),
  ...ignore(IGNORED_RULE_FIELDS),
}

async function essRule(rule: RuleView, context: EssContext) {
  const group = await context.services.groups.get(rule.groupId)
  return defined({
    ScalingRuleId: rule.id,
    ScalingGroupId: rule.groupId,
    ScalingRuleName: rule.name,
    ScalingRuleAri: rule.ari,
    ScalingRuleType: 'SimpleScalingRule',
    AdjustmentType: rule.adjustmentType,
    AdjustmentValue: rule.adjustmentValue,
    MinAdjustmentMagnitude: rule.minAdjustmentMagnitude ?? undefined,
    Cooldown: rule.cooldownSeconds ?? undefined,
    MinSize: group.minSize,
    MaxSize: group.maxSize,
  })
}

export const scalingRuleActions: readonly EssAction[] = [
  essAction({
    name: 'CreateScalingRule',
    params: z.strictObject({
      ScalingGroupId: id,
      ...ruleFields,
      AdjustmentType: adjustmentType,
      AdjustmentValue: integer(-ADJUSTMENT_MAX, ADJUSTMENT_MAX),
    }),
    errors: { NameConflict: { code: 'InvalidScalingRuleName.Duplicate', status: 400 } },
    async handle(params, context) {
      const rule = await context.services.rules.create({
        groupId: params.ScalingGroupId as ScalingGroupId,
        name: params.ScalingRuleName ?? `scaling-rule-${randomBytes(4).toString('hex')}`,
        adjustmentType: params.AdjustmentType,
        adjustmentValue: params.AdjustmentValue,
        minAdjustmentMagnitude: params.MinAdjustmentMagnitude ?? null,
        cooldownSeconds: params.Cooldown ?? null,
      })
      return { ScalingRuleId: rule.id, ScalingRuleAri: rule.ari }
    },
  }),

  essAction({
    name: 'ModifyScalingRule',
    params: z.strictObject({ ScalingRuleId: id, ...ruleFields }),
    errors: { ScalingRuleNotFound: { code: 'InvalidScalingRuleId.NotFound', status: 404 } },
    async handle(params, context) {
      await context.services.rules.modify(params.ScalingRuleId, {
        name: params.ScalingRuleName,
        adjustmentType: params.AdjustmentType,
        adjustmentValue: params.AdjustmentValue,
        minAdjustmentMagnitude: params.MinAdjustmentMagnitude,
        cooldownSeconds: params.Cooldown,
      })
      return {}
    },
  }),

  essAction({
    name: 'DeleteScalingRule',
    params: z.strictObject({ ScalingRuleId: id }),
    errors: { ScalingRuleNotFound: { code: 'InvalidScalingRuleId.NotFound', status: 404 } },
    async handle(params, context) {
      await context.services.rules.remove(params.ScalingRuleId)
      return {}
    },
  }),

  essAction({
    name: 'DescribeScalingRules',
    params: z.strictObject({
      ScalingGroupId: id.optional(),
      ScalingRuleId: list(id, LOOKUP_IDS_MAX).optional(),
      ScalingRuleName: list(text(64), LOOKUP_IDS_MAX).optional(),
      ScalingRuleAri: list(text(256), LOOKUP_IDS_MAX).optional(),
      ScalingRuleType: ruleType.optional(),
      ...paging,
      ...ignore(['ShowAlarmRules']),
    }),
    async handle(params, context) {
      const groupId = params.ScalingGroupId as ScalingGroupId | undefined
      if (groupId !== undefined) await context.services.groups.get(groupId)
      const rules = (await context.services.rules.list(groupId === undefined ? {} : { groupId })).filter(
        (rule) =>
          (!params.ScalingRuleId || params.ScalingRuleId.includes(rule.id)) &&
          (!params.ScalingRuleName || params.ScalingRuleName.includes(rule.name)) &&
          (!params.ScalingRuleAri || params.ScalingRuleAri.includes(rule.ari)),
      )
      const { items, fields } = page(rules, params)
      const described = []
      for (const rule of items) described.push(await essRule(rule, context))
      return { ...fields, ...wrapped('ScalingRules', 'ScalingRule', described) }
    },
  }),

  essAction({
    name: 'ExecuteScalingRule',
    params: z.strictObject({
      ScalingRuleAri: text(256),
      ClientToken: text(64).optional(),
      ...ignore(['BreachThreshold', 'MetricValue']),
    }),
    async handle(params, context) {
      // ESS runs a rule executed through the API whatever the group's cooldown.
      const activity = await context.services.rules.execute(params.ScalingRuleAri, {
        ignoreCooldown: true,
        ...(params.ClientToken === undefined ? {} : { clientToken: params.ClientToken }),
      })
      return { ScalingActivityId: activity.id }
    },
  }),

  essAction({
    name: 'ScaleWithAdjustment',
    params: z.strictObject({
      ScalingGroupId: id,
      AdjustmentType: adjustmentType,
      AdjustmentValue: integer(-ADJUSTMENT_MAX, ADJUSTMENT_MAX),
      MinAdjustmentMagnitude: integer(1, ADJUSTMENT_MAX).optional(),
      ClientToken: text(64).optional(),
      ...ignore(['SyncActivity', 'Overrides', 'LifecycleHookContext', 'ActivityMetadata', 'ParallelTask']),
    }),
    async handle(params, context) {
      const activity = await context.services.capacity.adjust(
        params.ScalingGroupId as ScalingGroupId,
        {
          adjustmentType: params.AdjustmentType,
          adjustmentValue: params.AdjustmentValue,
          minAdjustmentMagnitude: params.MinAdjustmentMagnitude ?? null,
        },
        params.ClientToken === undefined ? {} : { clientToken: params.ClientToken },
      )
      return { ScalingActivityId: activity.id }
    },
  }),
]
