/**
 * Step and target-tracking rules: their validation, and the alarms Billow owns for a
 * target-tracking rule (created, replaced and deleted with the rule, never by hand): a high alarm
 * that fires after 3 one-minute periods above the target, and unless scale-in is disabled a low
 * alarm that fires after 15 below it.
 */
import type { Alarm } from '../core/alarms/alarm.ts'
import type { AlarmId } from '../core/ids.ts'
import { isBuiltinMetric } from '../core/metrics/metric.ts'
import { stepsProblem } from '../core/rules/step-adjustment.ts'
import { ownedAlarmSpecs, TARGET_TRACKING_PERIOD_SECONDS } from '../core/rules/target-tracking.ts'
import type { ScalingRule } from '../core/types.ts'
import type { Collections } from '../ports/store.ts'
import { requireMetricName } from './alarms.ts'
import type { ServiceContext } from './context.ts'
import { invalid, requireIntegerIn } from './validate.ts'

/** A day: warm-up longer than that is a mistake, not a setting. */
const WARMUP_SECONDS_MAX = 86_400
const STEPS_MAX = 20

export function validateRuleType(rule: ScalingRule): void {
  switch (rule.ruleType ?? 'Simple') {
    case 'Simple':
      if (rule.stepAdjustments !== undefined || rule.targetTracking !== undefined) {
        invalid('ruleType', 'stepAdjustments and targetTracking need ruleType Step or TargetTracking')
      }
      return
    case 'Step': {
      const steps = rule.stepAdjustments ?? []
      if (steps.length > STEPS_MAX) invalid('stepAdjustments', `at most ${STEPS_MAX} steps`)
      const problem = stepsProblem(steps)
      if (problem !== null) invalid('stepAdjustments', problem)
      return
    }
    case 'TargetTracking': {
      const tracking = rule.targetTracking
      if (!tracking) invalid('targetTracking', 'a target-tracking rule needs its metric and target value')
      if (tracking.metric.kind === 'Builtin' && !isBuiltinMetric(tracking.metric.name)) {
        invalid('targetTracking.metric.name', `unknown metric "${tracking.metric.name}"`)
      }
      if (tracking.metric.kind === 'Custom') {
        requireMetricName('targetTracking.metric.namespace', tracking.metric.namespace)
        requireMetricName('targetTracking.metric.name', tracking.metric.name)
      }
      if (!(Number.isFinite(tracking.targetValue) && tracking.targetValue > 0)) {
        invalid('targetTracking.targetValue', 'must be a number above 0')
      }
      requireIntegerIn('targetTracking.instanceWarmupSeconds', tracking.instanceWarmupSeconds, 0, WARMUP_SECONDS_MAX)
      return
    }
  }
}

/** Replaces the rule's owned alarms with ones for its current settings (none unless target tracking). */
export async function syncOwnedAlarms(context: ServiceContext, tx: Collections, rule: ScalingRule): Promise<void> {
  const owned = (await tx.alarms.list({ groupId: rule.groupId })).filter((alarm) => alarm.ownerRuleId === rule.id)
  for (const alarm of owned) {
    await tx.alarmHistory.deleteForAlarm(alarm.id)
    await tx.alarms.delete(alarm.id)
  }
  const tracking = rule.ruleType === 'TargetTracking' ? rule.targetTracking : undefined
  if (!tracking) return
  const nowMs = context.clock.nowMs()
  const specs = ownedAlarmSpecs(tracking)
  for (const [side, spec] of [
    ['high', specs.high],
    ['low', specs.low],
  ] as const) {
    if (spec === null) continue
    const alarm: Alarm = {
      id: context.ids.next('alarm') as AlarmId,
      groupId: rule.groupId,
      name: `${rule.name}-${side}`.slice(0, 64),
      description: `owned by target-tracking rule ${rule.id}: ${side === 'high' ? 'scale out' : 'scale in'}`,
      conditions: [
        {
          id: 'm1',
          metric: tracking.metric,
          statistic: 'Average',
          comparison: spec.comparison,
          threshold: spec.threshold,
        },
      ],
      expression: null,
      periodSeconds: TARGET_TRACKING_PERIOD_SECONDS,
      evaluationCount: spec.evaluationCount,
      actions: [rule.id],
      enabled: true,
      state: 'INSUFFICIENT_DATA',
      stateReason: 'not evaluated yet',
      stateChangedAtMs: nowMs,
      consecutiveBreaches: 0,
      lastPeriodEndMs: null,
      ownerRuleId: rule.id,
      createdAtMs: nowMs,
      updatedAtMs: nowMs,
    }
    await tx.alarms.insert(alarm)
  }
}
