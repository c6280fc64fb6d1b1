/**
 * The decision log ("why didn't it scale?"): every evaluation of an alarm or a target-tracking
 * rule that could have scaled the group and did not says why; and every one that did, what it
 * asked for. Kept per group for a bounded time. Pure.
 */
import type { ActivityId, AlarmId, ScalingGroupId, ScalingRuleId } from '../ids.ts'

export const DECISION_OUTCOMES = [
  /** A rule run was queued. */
  'Queued',
  /** No data for the period (or the metric source failed). */
  'NoData',
  /** The metric is on the safe side of the threshold, or within the target's tolerance. */
  'InsideThreshold',
  /** Breaching, but not yet for as many periods as the alarm needs. */
  'NotYetConsecutive',
  'Cooldown',
  'AtMaxSize',
  'AtMinSize',
  /** An activity runs or waits in the group's queue. */
  'Busy',
  /** The alarm is disabled, or the group is not Active. */
  'Disabled',
] as const
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number]

export interface ScalingDecision {
  readonly id: string
  readonly groupId: ScalingGroupId
  readonly atMs: number
  readonly alarmId: AlarmId | null
  readonly ruleId: ScalingRuleId | null
  readonly outcome: DecisionOutcome
  readonly reason: string
  readonly activityId: ActivityId | null
}
