import { formatRuleAri, ruleIdFromReference } from '../core/ari.ts'
import { BillowError } from '../core/errors.ts'
import type { ScalingGroupId, ScalingRuleId } from '../core/ids.ts'
import type { StepAdjustment } from '../core/rules/step-adjustment.ts'
import type { TargetTracking } from '../core/rules/target-tracking.ts'
import { ADJUSTMENT_TYPES, type AdjustmentType, type RuleType, type ScalingRule } from '../core/types.ts'
import type { Collections } from '../ports/store.ts'
import { enqueue } from './activities.ts'
import { idempotent } from './client-tokens.ts'
import type { ServiceContext } from './context.ts'
import { COOLDOWN_SECONDS_MAX, GROUP_SIZE_MAX } from './groups.ts'
import { syncOwnedAlarms, validateRuleType } from './rule-types.ts'
import { invalid, notFound, requireIntegerIn, requireName } from './validate.ts'

export interface RuleInput {
  readonly groupId: ScalingGroupId
  readonly name: string
  readonly adjustmentType: AdjustmentType
  readonly adjustmentValue: number
  readonly minAdjustmentMagnitude?: number | null
  readonly cooldownSeconds?: number | null
  readonly ruleType?: RuleType
  readonly stepAdjustments?: readonly StepAdjustment[]
  readonly targetTracking?: TargetTracking
}

export interface RuleView extends ScalingRule {
  readonly ari: string
}

/** A percent rule may at most multiply capacity by 101 or empty it. */
const PERCENT_MIN = -100
const PERCENT_MAX = 10_000

export function ruleService(context: ServiceContext) {
  const { store } = context
  const view = (rule: ScalingRule): RuleView => ({
    ...rule,
    ari: formatRuleAri({ region: context.settings.region, accountId: context.settings.accountId, ruleId: rule.id }),
  })

  async function load(tx: Collections, reference: string): Promise<ScalingRule> {
    const id = ruleIdFromReference(reference)
    const rule = id ? await tx.rules.get(id) : undefined
    return rule ?? notFound('ScalingRuleNotFound', 'scaling rule', reference)
  }

  async function validate(tx: Collections, rule: ScalingRule): Promise<void> {
    if (!(await tx.groups.get(rule.groupId))) notFound('ScalingGroupNotFound', 'scaling group', rule.groupId, 'groupId')
    requireName('name', rule.name)
    validateAdjustment(rule)
    validateRuleType(rule)
    if (rule.cooldownSeconds !== null)
      requireIntegerIn('cooldownSeconds', rule.cooldownSeconds, 0, COOLDOWN_SECONDS_MAX)
  }

  return {
    list: async (filter: { groupId?: ScalingGroupId }) => (await store.rules.list(filter)).map(view),

    get: (reference: string) => store.transaction(async (tx) => view(await load(tx, reference))),

    create: (input: RuleInput) =>
      store.transaction(async (tx) => {
        const rule: ScalingRule = {
          id: context.ids.next('scalingRule') as ScalingRuleId,
          groupId: input.groupId,
          name: input.name,
          adjustmentType: input.adjustmentType,
          adjustmentValue: input.adjustmentValue,
          minAdjustmentMagnitude: input.minAdjustmentMagnitude ?? null,
          cooldownSeconds: input.cooldownSeconds ?? null,
          ...(input.ruleType === undefined ? {} : { ruleType: input.ruleType }),
          ...(input.stepAdjustments === undefined ? {} : { stepAdjustments: input.stepAdjustments }),
          ...(input.targetTracking === undefined ? {} : { targetTracking: input.targetTracking }),
          createdAtMs: context.clock.nowMs(),
        }
        await validate(tx, rule)
        await tx.rules.insert(rule)
        await syncOwnedAlarms(context, tx, rule)
        return view(rule)
      }),

    modify: (reference: string, changes: Partial<Omit<RuleInput, 'groupId'>>) =>
      store.transaction(async (tx) => {
        const current = await load(tx, reference)
        const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined))
        const rule: ScalingRule = { ...current, ...defined }
        await validate(tx, rule)
        await tx.rules.update(rule)
        await syncOwnedAlarms(context, tx, rule)
        return view(rule)
      }),

    remove: (reference: string) =>
      store.transaction(async (tx) => {
        const rule = await load(tx, reference)
        await tx.rules.delete(rule.id)
        await syncOwnedAlarms(context, tx, { ...rule, ruleType: 'Simple' })
      }),

    /**
     * Queues an execution by id or ARI. Manual executions honour cooldown unless asked not to
     * (see core/cooldown.ts). `groupId`, when given, must be the rule's group. With a client
     * token, a repeated request returns the activity the first one queued (client-tokens.ts).
     */
    execute: (
      reference: string,
      options: { ignoreCooldown: boolean; groupId?: ScalingGroupId; clientToken?: string },
    ) =>
      store.transaction(async (tx) => {
        const rule = await load(tx, reference)
        if (options.groupId !== undefined && options.groupId !== rule.groupId) {
          throw new BillowError(
            'InvalidParameterValue',
            `groupId: rule ${rule.id} belongs to ${rule.groupId}, not ${options.groupId}`,
            {
              field: 'groupId',
            },
          )
        }
        const fingerprint = `${rule.id} ignoreCooldown=${options.ignoreCooldown}`
        return idempotent(
          context,
          tx,
          { operation: 'execute-rule', clientToken: options.clientToken, fingerprint },
          () =>
            enqueue(context, tx, {
              groupId: rule.groupId,
              request: {
                kind: 'ExecuteRule',
                ruleId: rule.id,
                honorCooldown: !options.ignoreCooldown,
                origin: 'Manual',
              },
              cause: `a user requested to execute scaling rule "${rule.name}" (${rule.id})${options.ignoreCooldown ? ', ignoring cooldown' : ''}`,
            }),
        )
      }),
  }
}

/** What a rule (or a one-off adjustment) asks for, within the bounds every adjustment type has. */
export function validateAdjustment(
  adjustment: Pick<ScalingRule, 'adjustmentType' | 'adjustmentValue' | 'minAdjustmentMagnitude'>,
): void {
  if (!ADJUSTMENT_TYPES.includes(adjustment.adjustmentType))
    invalid('adjustmentType', `unknown; one of ${ADJUSTMENT_TYPES.join(', ')}`)
  switch (adjustment.adjustmentType) {
    case 'QuantityChangeInCapacity':
      requireIntegerIn('adjustmentValue', adjustment.adjustmentValue, -GROUP_SIZE_MAX, GROUP_SIZE_MAX)
      break
    case 'PercentChangeInCapacity':
      requireIntegerIn('adjustmentValue', adjustment.adjustmentValue, PERCENT_MIN, PERCENT_MAX)
      break
    case 'TotalCapacity':
      requireIntegerIn('adjustmentValue', adjustment.adjustmentValue, 0, GROUP_SIZE_MAX)
      break
  }
  if (adjustment.minAdjustmentMagnitude !== null) {
    if (adjustment.adjustmentType !== 'PercentChangeInCapacity') {
      invalid('minAdjustmentMagnitude', 'applies to PercentChangeInCapacity rules only')
    }
    requireIntegerIn('minAdjustmentMagnitude', adjustment.minAdjustmentMagnitude, 1, GROUP_SIZE_MAX)
  }
}
