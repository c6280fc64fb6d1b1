/**
 * What one execution of a rule adjusts, by rule type. Simple: the rule's own adjustment. Step:
 * the step that holds the alarm's breach distance, so step rules run only from alarms. Target
 * tracking: the total capacity that brings the metric back to its target (target-tracking.ts),
 * also only from its alarms. A refusal carries its reason, which becomes the Rejected activity's.
 * Pure.
 */
import type { ActivityRequest, Instance, ScalingRule } from '../types.ts'
import { chooseStep } from './step-adjustment.ts'
import { targetCapacityFor } from './target-tracking.ts'

export type Adjustment = Pick<ScalingRule, 'adjustmentType' | 'adjustmentValue' | 'minAdjustmentMagnitude'>

export type AdjustmentDecision =
  | { readonly kind: 'adjust'; readonly adjustment: Adjustment; readonly note: string }
  | { readonly kind: 'reject'; readonly reason: string }

export function ruleAdjustment(input: {
  readonly rule: ScalingRule
  readonly request: Extract<ActivityRequest, { kind: 'ExecuteRule' }>
  readonly current: number
  /** Whether an instance of the group is still inside the rule's warm-up (booting or just InService). */
  readonly warmingUp: boolean
}): AdjustmentDecision {
  const { rule, request } = input
  const fromAlarm = request.origin === 'Alarm' ? request : null
  switch (rule.ruleType ?? 'Simple') {
    case 'Simple':
      return { kind: 'adjust', adjustment: rule, note: '' }
    case 'Step': {
      if (fromAlarm?.metricValue == null || fromAlarm.threshold == null) {
        return { kind: 'reject', reason: 'a step rule runs from an alarm: it needs the metric value and its threshold' }
      }
      const step = chooseStep(rule.stepAdjustments ?? [], fromAlarm.metricValue, fromAlarm.threshold)
      const distance = round(fromAlarm.metricValue - fromAlarm.threshold)
      if (!step)
        return { kind: 'reject', reason: `no step of the rule covers a distance of ${distance} past the threshold` }
      return {
        kind: 'adjust',
        adjustment: { ...rule, adjustmentValue: step.adjustmentValue },
        note: ` (step for distance ${distance}: ${step.adjustmentValue})`,
      }
    }
    case 'TargetTracking': {
      const tracking = rule.targetTracking
      if (!tracking || fromAlarm?.metricValue == null) {
        return { kind: 'reject', reason: 'a target-tracking rule runs from its own alarms: it needs the metric value' }
      }
      const decision = targetCapacityFor({
        current: input.current,
        metricValue: fromAlarm.metricValue,
        targetValue: tracking.targetValue,
        disableScaleIn: tracking.disableScaleIn,
      })
      if (decision.kind === 'hold') return { kind: 'reject', reason: decision.reason }
      if (decision.capacity < input.current && input.warmingUp) {
        return {
          kind: 'reject',
          reason: `an instance is inside the ${tracking.instanceWarmupSeconds}s warm-up: scale-in waits`,
        }
      }
      return {
        kind: 'adjust',
        adjustment: {
          adjustmentType: 'TotalCapacity',
          adjustmentValue: decision.capacity,
          minAdjustmentMagnitude: null,
        },
        note: ` (metric ${round(fromAlarm.metricValue)} vs target ${tracking.targetValue}: ratio ${round(decision.ratio)})`,
      }
    }
  }
}

/** A target-tracking rule's warm-up: a member still booting, or InService for less than the warm-up. */
export function isWarmingUp(
  rule: Pick<ScalingRule, 'targetTracking'>,
  members: readonly Pick<Instance, 'state' | 'inServiceAtMs'>[],
  nowMs: number,
): boolean {
  const warmupMs = (rule.targetTracking?.instanceWarmupSeconds ?? 0) * 1000
  return members.some(
    (member) =>
      member.state === 'Pending' || (member.inServiceAtMs !== null && nowMs - member.inServiceAtMs < warmupMs),
  )
}

const round = (value: number): number => Math.round(value * 100) / 100
