/**
 * Alarms (dynamic mode; ESS "event-triggered tasks", Tencent "alarm policies"): one or more
 * metric conditions over a period, combined by an optional && / || expression; after
 * `evaluationCount` consecutive breaching periods the alarm is in ALARM and runs its rules, again
 * at each evaluation while it stays there.
 *
 *                 breach × evaluationCount
 *        ┌────┐ ─────────────────────────▶ ┌───────┐
 *        │ OK │                            │ ALARM │ ── each evaluation: run the actions
 *        └────┘ ◀──────── no breach ────── └───────┘
 *           ▲ │                                 │
 *  no breach│ │ no data (or the source fails)   │ no data
 *           │ ▼                                 ▼
 *        ┌───────────────────┐ ◀────────────────┘
 *        │ INSUFFICIENT_DATA │   a period with no data is never a breach
 *        └───────────────────┘
 */
import type { AlarmId, ScalingGroupId, ScalingRuleId } from '../ids.ts'
import type { Statistic } from '../metrics/metric.ts'

export const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const
export type AlarmState = (typeof ALARM_STATES)[number]

export const COMPARISONS = ['>', '>=', '<', '<='] as const
export type Comparison = (typeof COMPARISONS)[number]

/** What a condition measures: a built-in metric of the group, a pushed custom metric, or PromQL. */
export type MetricSelector =
  | { readonly kind: 'Builtin'; readonly name: string }
  | {
      readonly kind: 'Custom'
      readonly namespace: string
      readonly name: string
      readonly dimensions: Readonly<Record<string, string>>
    }
  | { readonly kind: 'PromQL'; readonly query: string }

export interface AlarmCondition {
  /** Names the condition in the expression: a letter, then letters, digits or '_'. */
  readonly id: string
  readonly metric: MetricSelector
  readonly statistic: Statistic
  readonly comparison: Comparison
  readonly threshold: number
}

export interface Alarm {
  readonly id: AlarmId
  readonly groupId: ScalingGroupId
  readonly name: string
  readonly description: string | null
  readonly conditions: readonly AlarmCondition[]
  /** e.g. `cpu && (queue || latency)`; null: every condition must breach (&& of all). */
  readonly expression: string | null
  /** 1 s up to 1 h, whole seconds. */
  readonly periodSeconds: number
  /** Consecutive breaching periods before the alarm fires. */
  readonly evaluationCount: number
  /** Rules of the alarm's group, run in order while the alarm is in ALARM. */
  readonly actions: readonly ScalingRuleId[]
  readonly enabled: boolean
  readonly state: AlarmState
  readonly stateReason: string
  readonly stateChangedAtMs: number
  readonly consecutiveBreaches: number
  /** The end of the last period evaluated (periods end at their evaluation: evaluate-alarm.ts). */
  readonly lastPeriodEndMs: number | null
  /** Owned by a target-tracking rule: created, changed and deleted with it, not by hand. */
  readonly ownerRuleId: ScalingRuleId | null
  readonly createdAtMs: number
  readonly updatedAtMs: number
}

/** One evaluation that changed the state, with the values that caused it. */
export interface AlarmHistoryEntry {
  readonly alarmId: AlarmId
  readonly atMs: number
  readonly periodEndMs: number
  readonly from: AlarmState
  readonly to: AlarmState
  readonly reason: string
  /** Each condition's statistic for the period (null: no data). */
  readonly values: Readonly<Record<string, number | null>>
}

export const compare = (value: number, comparison: Comparison, threshold: number): boolean => {
  switch (comparison) {
    case '>':
      return value > threshold
    case '>=':
      return value >= threshold
    case '<':
      return value < threshold
    case '<=':
      return value <= threshold
  }
}

export const describeMetric = (metric: MetricSelector): string => {
  switch (metric.kind) {
    case 'Builtin':
      return metric.name
    case 'Custom':
      return `${metric.namespace}/${metric.name}`
    case 'PromQL':
      return `PromQL ${metric.query}`
  }
}
