/**
 * Dynamic mode: once a tick, after the metrics are collected, each enabled alarm whose period
 * has ended is evaluated (core/alarms/evaluate-alarm.ts). A state change is written to the
 * alarm's history with the values that caused it. While the alarm is in ALARM, each evaluation
 * queues its rules as automatic executions: they honour cooldown, so a run refused by cooldown or
 * the group's bounds is a Rejected activity, recorded like any other. A group that is busy (an
 * activity runs or waits) gets nothing queued: the activity in progress decides, and the next
 * evaluation looks again.
 *
 * Every evaluation that could have scaled and did not writes a decision saying why (the
 * decision log); repeated identical decisions of an alarm that is not firing are written once.
 */
import type { Alarm } from '../core/alarms/alarm.ts'
import type { DecisionOutcome, ScalingDecision } from '../core/alarms/decision.ts'
import {
  type AlarmEvaluation,
  type ConditionValue,
  evaluateAlarm,
  periodEndToEvaluate,
} from '../core/alarms/evaluate-alarm.ts'
import { currentCapacity, ruleOutcome } from '../core/capacity.ts'
import { isInCooldown } from '../core/cooldown.ts'
import type { ActivityId, AlarmId, ScalingRuleId } from '../core/ids.ts'
import { isWarmingUp, ruleAdjustment } from '../core/rules/rule-adjustment.ts'
import { type Activity, isLive } from '../core/types.ts'
import type { EngineContext } from './engine-context.ts'
import { conditionValue } from './metric-query.ts'

/** Automatic executions always honour cooldown (docs/concepts.md, "Cooldown"). */
export const ALARM_RUNS_HONOR_COOLDOWN = true

export class AlarmEvaluator {
  readonly #context: EngineContext
  /** The last decision written per alarm, so a steady state is logged once, not every second. */
  readonly #lastDecision = new Map<AlarmId, string>()

  constructor(context: EngineContext) {
    this.#context = context
  }

  async step(): Promise<void> {
    const { store, log } = this.#context
    for (const alarm of await store.alarms.list({})) {
      if (!alarm.enabled) continue
      try {
        await this.#evaluate(alarm)
      } catch (error) {
        log.error('alarm.evaluate-failed', {
          alarmId: alarm.id,
          error: error instanceof Error ? error.stack : String(error),
        })
      }
    }
  }

  async #evaluate(alarm: Alarm): Promise<void> {
    const { store, clock } = this.#context
    const nowMs = clock.nowMs()
    const periodEndMs = periodEndToEvaluate(alarm.lastPeriodEndMs, nowMs, alarm.periodSeconds)
    if (periodEndMs === null) return
    const values = new Map<string, ConditionValue>()
    for (const condition of alarm.conditions) {
      values.set(
        condition.id,
        await conditionValue(this.#context, {
          groupId: alarm.groupId,
          condition,
          periodEndMs,
          periodSeconds: alarm.periodSeconds,
        }),
      )
    }
    const evaluation = evaluateAlarm(alarm, values)
    await store.transaction(async (tx) => {
      const current = await tx.alarms.get(alarm.id)
      // Changed or deleted since it was listed: the next tick evaluates the new version.
      if (!current || current.updatedAtMs !== alarm.updatedAtMs || current.lastPeriodEndMs !== alarm.lastPeriodEndMs)
        return
      const changed = current.state !== evaluation.state
      await tx.alarms.update({
        ...current,
        state: evaluation.state,
        stateReason: evaluation.reason,
        stateChangedAtMs: changed ? nowMs : current.stateChangedAtMs,
        consecutiveBreaches: evaluation.consecutiveBreaches,
        lastPeriodEndMs: periodEndMs,
      })
      if (changed) {
        await tx.alarmHistory.insert({
          alarmId: alarm.id,
          atMs: nowMs,
          periodEndMs,
          from: current.state,
          to: evaluation.state,
          reason: evaluation.reason,
          values: evaluation.values,
        })
      }
    })
    if (evaluation.runActions) await this.#runActions(alarm, evaluation, nowMs)
    else await this.#decide(alarm, quietOutcome(evaluation), evaluation.reason, null, null, nowMs)
  }

  async #runActions(alarm: Alarm, evaluation: AlarmEvaluation, nowMs: number): Promise<void> {
    const { store, ids } = this.#context
    const breach = firstBreach(alarm, evaluation)
    for (const ruleId of alarm.actions) {
      const outcome = await store.transaction(async (tx) => {
        const group = await tx.groups.get(alarm.groupId)
        const rule = await tx.rules.get(ruleId)
        if (group?.state !== 'Active') {
          return { outcome: 'Disabled' as const, reason: `the group is ${group?.state ?? 'gone'}`, activityId: null }
        }
        if (!rule) return { outcome: 'Disabled' as const, reason: `rule ${ruleId} no longer exists`, activityId: null }
        const busy = await tx.activities.list({ groupId: group.id, statuses: ['Queued', 'InProgress'], limit: 1 })
        if (busy[0]) {
          return {
            outcome: 'Busy' as const,
            reason: `activity ${busy[0].id} is ${busy[0].status === 'InProgress' ? 'in progress' : 'queued'}`,
            activityId: null,
          }
        }
        const members = (await tx.instances.list({ groupId: group.id })).filter(isLive)
        const current = currentCapacity(group, members.length)
        const request = {
          kind: 'ExecuteRule',
          ruleId,
          honorCooldown: ALARM_RUNS_HONOR_COOLDOWN,
          origin: 'Alarm',
          alarmId: alarm.id,
          metricValue: breach.value,
          threshold: breach.threshold,
        } as const
        const adjustment = ruleAdjustment({ rule, request, current, warmingUp: isWarmingUp(rule, members, nowMs) })
        const change = ruleOutcome(adjustment.kind === 'adjust' ? adjustment.adjustment : rule, group, current)
        let outcome: DecisionOutcome = 'Queued'
        let reason = `${evaluation.reason}: run rule "${rule.name}", capacity ${current} → ${change.capacityAfter}`
        if (adjustment.kind === 'reject') {
          outcome = 'InsideThreshold'
          reason = `${adjustment.reason}; the run is recorded as Rejected`
        } else if (isInCooldown(group, nowMs)) {
          outcome = 'Cooldown'
          reason = `cooldown until ${new Date(group.cooldownUntilMs ?? 0).toISOString()}; the run is recorded as Rejected`
        } else if (change.capacityAfter === current && change.clampedBy !== null) {
          outcome = change.clampedBy === 'MaxSize' ? 'AtMaxSize' : 'AtMinSize'
          reason = `at ${change.clampedBy === 'MaxSize' ? `max size ${group.maxSize}` : `min size ${group.minSize}`}; the run is recorded as Rejected`
        }
        const activity: Activity = {
          id: ids.next('activity') as ActivityId,
          groupId: group.id,
          request,
          status: 'Queued',
          cause: `alarm "${alarm.name}" (${alarm.id}) is in ALARM: ${evaluation.reason}`,
          description: '',
          plan: null,
          progressPercent: 0,
          statusMessage: null,
          createdAtMs: nowMs,
          startedAtMs: null,
          endedAtMs: null,
        }
        await tx.activities.insert(activity)
        return { outcome, reason, activityId: activity.id }
      })
      await this.#decide(alarm, outcome.outcome, outcome.reason, ruleId, outcome.activityId, nowMs, true)
    }
  }

  async #decide(
    alarm: Alarm,
    outcome: DecisionOutcome,
    reason: string,
    ruleId: ScalingRuleId | null,
    activityId: ActivityId | null,
    nowMs: number,
    always = false,
  ): Promise<void> {
    const key = `${outcome}:${ruleId ?? ''}`
    if (!always && this.#lastDecision.get(alarm.id) === key) return
    this.#lastDecision.set(alarm.id, key)
    const decision: ScalingDecision = {
      id: `${alarm.id}@${nowMs}@${ruleId ?? ''}`,
      groupId: alarm.groupId,
      atMs: nowMs,
      alarmId: alarm.id,
      ruleId,
      outcome,
      reason: `alarm "${alarm.name}": ${reason}`,
      activityId,
    }
    await this.#context.store.decisions.insert(decision)
  }
}

function quietOutcome(evaluation: AlarmEvaluation): DecisionOutcome {
  if (evaluation.state === 'INSUFFICIENT_DATA') return 'NoData'
  return evaluation.breached === true ? 'NotYetConsecutive' : 'InsideThreshold'
}

/** The first condition with a value, and its threshold: step and target-tracking rules scale by it. */
function firstBreach(alarm: Alarm, evaluation: AlarmEvaluation): { value: number | null; threshold: number | null } {
  for (const condition of alarm.conditions) {
    const value = evaluation.values[condition.id]
    if (value !== null && value !== undefined) return { value, threshold: condition.threshold }
  }
  return { value: null, threshold: null }
}
