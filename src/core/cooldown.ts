/**
 * One cooldown model for every way a rule can run (docs/concepts.md, "Cooldown"):
 *
 * - When an activity that a rule (or a manual capacity change asking for it) started ends, the
 *   group is in cooldown for the rule's cooldown, or the group's default when the rule has none.
 * - Automatic executions (alarms, schedules) honour cooldown: an alarm's is refused (a Rejected
 *   activity); a scheduled run waits within its launch expiration (core/schedule/run-readiness.ts).
 * - Manual executions honour cooldown unless the request says to ignore it. ESS's
 *   ExecuteScalingRule ignores it; Tencent's ExecutePolicy honours it only when asked. The
 *   compatible APIs map onto this one switch.
 * - Fixed-number mode and elastic recovery are never blocked by cooldown.
 */
import type { ScalingGroup, ScalingRule } from './types.ts'

export const isInCooldown = (group: Pick<ScalingGroup, 'cooldownUntilMs'>, nowMs: number): boolean =>
  group.cooldownUntilMs !== null && nowMs < group.cooldownUntilMs

export const cooldownSecondsFor = (
  group: Pick<ScalingGroup, 'defaultCooldownSeconds'>,
  rule: Pick<ScalingRule, 'cooldownSeconds'> | null,
): number => rule?.cooldownSeconds ?? group.defaultCooldownSeconds
