/**
 * Capacity maths, as the clouds do it. Pure: the engine passes in what it read from the store.
 */
import type { ScalingGroup, ScalingRule } from './types.ts'

export interface RuleOutcome {
  readonly capacityBefore: number
  /** Before clamping to [min, max]: what the rule asked for. */
  readonly capacityRequested: number
  readonly capacityAfter: number
  /** Why capacityAfter differs from what the rule asked for, when it does. */
  readonly clampedBy: 'MinSize' | 'MaxSize' | null
}

export const clamp = (value: number, minimum: number, maximum: number): number =>
  Math.min(Math.max(value, minimum), maximum)

/**
 * A percent change of the current capacity, rounded like the clouds: a change strictly between
 * -1 and 1 becomes ±1 (a rule that asks for change gets one instance at least), otherwise it is
 * truncated toward zero (asking for +50% of 3 adds 1, not 2). MinAdjustmentMagnitude then lifts
 * the magnitude of a positive-percent change to at least that many instances.
 */
export function percentChange(current: number, percent: number, minAdjustmentMagnitude: number | null): number {
  const exact = (current * percent) / 100
  let change: number
  if (exact === 0) change = 0
  else if (exact > 0 && exact < 1) change = 1
  else if (exact < 0 && exact > -1) change = -1
  else change = Math.trunc(exact)
  if (minAdjustmentMagnitude !== null && change !== 0 && Math.abs(change) < minAdjustmentMagnitude) {
    change = Math.sign(change) * minAdjustmentMagnitude
  }
  return change
}

/** What executing `rule` does to a group whose current capacity is `current`. */
export function ruleOutcome(
  rule: Pick<ScalingRule, 'adjustmentType' | 'adjustmentValue' | 'minAdjustmentMagnitude'>,
  group: Pick<ScalingGroup, 'minSize' | 'maxSize'>,
  current: number,
): RuleOutcome {
  let requested: number
  switch (rule.adjustmentType) {
    case 'QuantityChangeInCapacity':
      requested = current + rule.adjustmentValue
      break
    case 'PercentChangeInCapacity':
      requested = current + percentChange(current, rule.adjustmentValue, rule.minAdjustmentMagnitude)
      break
    case 'TotalCapacity':
      requested = rule.adjustmentValue
      break
  }
  const after = clamp(requested, group.minSize, group.maxSize)
  const clampedBy = requested > group.maxSize ? 'MaxSize' : requested < group.minSize ? 'MinSize' : null
  return { capacityBefore: current, capacityRequested: requested, capacityAfter: after, clampedBy }
}

/**
 * The capacity a group holds by itself (fixed-number mode): desired when set, otherwise the
 * live count pulled into [min, max].
 */
export const targetCapacity = (
  group: Pick<ScalingGroup, 'minSize' | 'maxSize' | 'desiredCapacity'>,
  liveCount: number,
): number => clamp(group.desiredCapacity ?? liveCount, group.minSize, group.maxSize)

/** The capacity rules start from: desired when set, else what is running. */
export const currentCapacity = (group: Pick<ScalingGroup, 'desiredCapacity'>, liveCount: number): number =>
  group.desiredCapacity ?? liveCount
