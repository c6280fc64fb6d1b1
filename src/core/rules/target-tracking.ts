/**
 * Target tracking: keep a metric at a target value. The capacity needed is proportional to the
 * load, as in the Kubernetes HPA: desired = ceil(current × metric / target), skipped while the
 * ratio is within the tolerance of 1. Scale-in can be switched off. The result is clamped to the
 * group's bounds by the caller like every rule's. Pure.
 *
 * Billow owns the alarms a target-tracking rule needs: a high alarm that fires fast (3 periods of
 * 60 s, as the clouds do) and a low alarm that fires slowly (15 periods), so capacity follows a
 * rise within minutes and a fall only once it has lasted.
 */
import type { MetricSelector } from '../alarms/alarm.ts'

/** A target-tracking rule's settings: which metric of the group to hold at which value. */
export interface TargetTracking {
  /** A built-in metric of the group (CpuUtilization, RequestsPerSecondPerInstance, …) or a custom one. */
  readonly metric: MetricSelector
  readonly targetValue: number
  /** Scale out only: the rule never removes instances (its low alarm is not created). */
  readonly disableScaleIn: boolean
  /** After a scale-out, scale-in waits this long, so new instances' start-up does not count as low load. */
  readonly instanceWarmupSeconds: number
}

/** HPA's default: no change while metric / target is within 10 % of 1. */
export const TARGET_TOLERANCE = 0.1
export const HIGH_ALARM_EVALUATION_COUNT = 3
export const LOW_ALARM_EVALUATION_COUNT = 15
export const TARGET_TRACKING_PERIOD_SECONDS = 60

export type TargetDecision =
  | { readonly kind: 'scale'; readonly capacity: number; readonly ratio: number }
  | { readonly kind: 'hold'; readonly reason: string; readonly ratio: number | null }

export function targetCapacityFor(input: {
  /** Instances counted (InService and past warm-up). */
  readonly current: number
  readonly metricValue: number
  readonly targetValue: number
  readonly disableScaleIn: boolean
  readonly tolerance?: number
}): TargetDecision {
  const { current, metricValue, targetValue } = input
  const tolerance = input.tolerance ?? TARGET_TOLERANCE
  if (current === 0) return { kind: 'hold', reason: 'no instance is counted yet (all warming up)', ratio: null }
  const ratio = metricValue / targetValue
  if (Math.abs(ratio - 1) <= tolerance) {
    return {
      kind: 'hold',
      reason: `inside tolerance: ${round(metricValue)} is within ${tolerance * 100}% of the target ${targetValue}`,
      ratio,
    }
  }
  const capacity = Math.ceil(current * ratio)
  if (capacity < current && input.disableScaleIn) {
    return { kind: 'hold', reason: 'scale-in is disabled for this rule', ratio }
  }
  if (capacity === current) return { kind: 'hold', reason: `capacity ${current} already meets the target`, ratio }
  return { kind: 'scale', capacity, ratio }
}

/** The alarms Billow creates for the rule: high fires fast, low (scale-in) slowly. */
export function ownedAlarmSpecs(tracking: TargetTracking): {
  readonly high: { readonly comparison: '>'; readonly threshold: number; readonly evaluationCount: number }
  readonly low: { readonly comparison: '<'; readonly threshold: number; readonly evaluationCount: number } | null
} {
  return {
    high: {
      comparison: '>',
      threshold: tracking.targetValue * (1 + TARGET_TOLERANCE),
      evaluationCount: HIGH_ALARM_EVALUATION_COUNT,
    },
    low: tracking.disableScaleIn
      ? null
      : {
          comparison: '<',
          threshold: tracking.targetValue * (1 - TARGET_TOLERANCE),
          evaluationCount: LOW_ALARM_EVALUATION_COUNT,
        },
  }
}

const round = (value: number): number => Math.round(value * 100) / 100
