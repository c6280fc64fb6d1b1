/**
 * Billow's own policy in the simulator: the group's simple scaling rules, executed by a metric
 * threshold that the scenario driver evaluates (an alarm stand-in: the alarm service of issue 4
 * is not wired into the simulator yet). Per rule: the metric's average over `periodSeconds`;
 * after `evaluationPeriods` consecutive breaches the rule is executed, and again each period the
 * breach lasts; the engine's cooldown rejects what comes too soon, as it would for an alarm.
 */
import { PeriodAverage, type Policy, type PolicyAction, type PolicyView } from './policy.ts'

export interface ThresholdRule {
  readonly name: string
  readonly metric: 'cpu' | 'latency'
  readonly comparison: 'above' | 'below'
  readonly threshold: number
  readonly periodSeconds: number
  readonly evaluationPeriods: number
}

export function billowRulesPolicy(rules: readonly ThresholdRule[]): Policy {
  const state = rules.map((rule) => ({ rule, average: new PeriodAverage(rule.periodSeconds), breaches: 0 }))
  return {
    name: 'billow-rules',
    onTick(view: PolicyView): PolicyAction | null {
      let action: PolicyAction | null = null
      for (const entry of state) {
        const value = entry.rule.metric === 'cpu' ? view.cpuPercent : view.latencyMs
        const closed = entry.average.add(view.nowMs, value)
        if (closed === null) continue
        const breached =
          entry.rule.comparison === 'above' ? closed > entry.rule.threshold : closed < entry.rule.threshold
        entry.breaches = breached ? entry.breaches + 1 : 0
        if (action === null && entry.breaches >= entry.rule.evaluationPeriods) {
          action = {
            kind: 'execute-rule',
            ruleName: entry.rule.name,
            reason: `${entry.rule.metric} ${closed.toFixed(1)} ${entry.rule.comparison} ${entry.rule.threshold} for ${entry.breaches} period(s)`,
          }
        }
      }
      return action
    },
  }
}
