/**
 * Alarms (dynamic mode): create, change, enable/disable, delete, history; and the group's
 * decision log. Validation refuses what could never evaluate: an unknown built-in metric, a
 * period that is not a whole number of seconds from 1 s to 1 h, an expression that does not
 * parse or names an unknown condition, an action naming a rule of another group.
 */

import {
  type Alarm,
  type AlarmCondition,
  type AlarmHistoryEntry,
  COMPARISONS,
  type Comparison,
  type MetricSelector,
} from '../core/alarms/alarm.ts'
import type { ScalingDecision } from '../core/alarms/decision.ts'
import { conditionIds, parseExpression } from '../core/alarms/expression.ts'
import { ruleIdFromReference } from '../core/ari.ts'
import type { AlarmId, ScalingGroupId, ScalingRuleId } from '../core/ids.ts'
import { BUILTIN_METRICS, isBuiltinMetric, STATISTICS, type Statistic } from '../core/metrics/metric.ts'
import type { Collections } from '../ports/store.ts'
import type { ServiceContext } from './context.ts'
import { invalid, notFound, requireIntegerIn, requireName } from './validate.ts'

/** The clouds' periods are 15 s to 900 s; Billow takes any whole number of seconds from 1 s to 1 h. */
export const PERIOD_SECONDS_MIN = 1
export const PERIOD_SECONDS_MAX = 3_600
/** Consecutive periods an alarm may wait for: a day of one-minute periods. */
export const EVALUATION_COUNT_MAX = 1_440
export const CONDITIONS_MAX = 10
export const ACTIONS_MAX = 10
export const ALARMS_PER_GROUP_MAX = 50
/** History and decision entries one call returns at most. */
export const HISTORY_LIMIT_MAX = 500
export const PROMQL_LENGTH_MAX = 2_048

export interface AlarmInput {
  readonly groupId: ScalingGroupId
  readonly name: string
  readonly description?: string | null
  readonly conditions: readonly {
    readonly id?: string
    readonly metric: MetricSelector
    readonly statistic: Statistic
    readonly comparison: Comparison
    readonly threshold: number
  }[]
  readonly expression?: string | null
  readonly periodSeconds: number
  readonly evaluationCount?: number
  /** Rule ids or ARIs of the alarm's group. */
  readonly actions: readonly string[]
  readonly enabled?: boolean
}

export function alarmService(context: ServiceContext) {
  const { store } = context

  async function load(tx: Collections, id: string): Promise<Alarm> {
    return (await tx.alarms.get(id as AlarmId)) ?? notFound('AlarmNotFound', 'alarm', id)
  }

  async function build(
    tx: Collections,
    base: Omit<Alarm, 'conditions' | 'actions'>,
    input: Pick<AlarmInput, 'conditions' | 'actions'>,
  ): Promise<Alarm> {
    const group = await tx.groups.get(base.groupId)
    if (!group) notFound('ScalingGroupNotFound', 'scaling group', base.groupId, 'groupId')
    requireName('name', base.name)
    requireIntegerIn('periodSeconds', base.periodSeconds, PERIOD_SECONDS_MIN, PERIOD_SECONDS_MAX)
    requireIntegerIn('evaluationCount', base.evaluationCount, 1, EVALUATION_COUNT_MAX)
    const conditions = validateConditions(input.conditions)
    if (base.expression !== null) validateExpression(base.expression, conditions)
    if (input.actions.length === 0) invalid('actions', 'name at least one scaling rule')
    if (input.actions.length > ACTIONS_MAX) invalid('actions', `at most ${ACTIONS_MAX} rules`)
    const actions: ScalingRuleId[] = []
    for (const [index, reference] of input.actions.entries()) {
      const id = ruleIdFromReference(reference)
      const rule = id ? await tx.rules.get(id) : undefined
      if (!rule) notFound('ScalingRuleNotFound', 'scaling rule', reference, `actions.${index}`)
      if (rule.groupId !== base.groupId) {
        invalid(
          `actions.${index}`,
          `rule ${rule.id} belongs to group ${rule.groupId}, not the alarm's group ${base.groupId}`,
        )
      }
      actions.push(rule.id)
    }
    return { ...base, conditions, actions }
  }

  return {
    list: (filter: { groupId?: ScalingGroupId }) => store.alarms.list(filter),

    get: (id: string) => store.transaction((tx) => load(tx, id)),

    create: (input: AlarmInput) =>
      store.transaction(async (tx) => {
        const nowMs = context.clock.nowMs()
        const existing = await tx.alarms.list({ groupId: input.groupId })
        if (existing.length >= ALARMS_PER_GROUP_MAX)
          invalid('groupId', `a group has at most ${ALARMS_PER_GROUP_MAX} alarms`)
        const alarm = await build(
          tx,
          {
            id: context.ids.next('alarm') as AlarmId,
            groupId: input.groupId,
            name: input.name,
            description: input.description ?? null,
            expression: input.expression ?? null,
            periodSeconds: input.periodSeconds,
            evaluationCount: input.evaluationCount ?? 1,
            enabled: input.enabled ?? true,
            state: 'INSUFFICIENT_DATA',
            stateReason: 'not evaluated yet',
            stateChangedAtMs: nowMs,
            consecutiveBreaches: 0,
            lastPeriodEndMs: null,
            ownerRuleId: null,
            createdAtMs: nowMs,
            updatedAtMs: nowMs,
          },
          input,
        )
        await tx.alarms.insert(alarm)
        context.wakeEngine()
        return alarm
      }),

    /** Changes restart the count of consecutive breaches; the state stays until the next evaluation. */
    modify: (id: string, changes: Partial<Omit<AlarmInput, 'groupId'>>) =>
      store.transaction(async (tx) => {
        const current = await load(tx, id)
        const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined))
        const merged = { ...current, ...defined } as Alarm & Pick<AlarmInput, 'conditions' | 'actions'>
        const alarm = await build(
          tx,
          { ...merged, consecutiveBreaches: 0, updatedAtMs: Math.max(context.clock.nowMs(), current.updatedAtMs + 1) },
          { conditions: merged.conditions, actions: merged.actions },
        )
        await tx.alarms.update(alarm)
        return alarm
      }),

    setEnabled: (id: string, enabled: boolean) =>
      store.transaction(async (tx) => {
        const current = await load(tx, id)
        const nowMs = Math.max(context.clock.nowMs(), current.updatedAtMs + 1)
        // A disabled alarm stops evaluating; enabled again, it starts from no data, not from a stale state.
        const alarm: Alarm = enabled
          ? { ...current, enabled, updatedAtMs: nowMs }
          : {
              ...current,
              enabled,
              state: 'INSUFFICIENT_DATA',
              stateReason: 'disabled',
              stateChangedAtMs: nowMs,
              consecutiveBreaches: 0,
              updatedAtMs: nowMs,
            }
        await tx.alarms.update(alarm)
        return alarm
      }),

    remove: (id: string) =>
      store.transaction(async (tx) => {
        const alarm = await load(tx, id)
        await tx.alarmHistory.deleteForAlarm(alarm.id)
        await tx.alarms.delete(alarm.id)
      }),

    history: async (id: string, options: { limit?: number }): Promise<readonly AlarmHistoryEntry[]> => {
      const alarm = await store.transaction((tx) => load(tx, id))
      return store.alarmHistory.list({ alarmId: alarm.id, limit: Math.min(options.limit ?? 100, HISTORY_LIMIT_MAX) })
    },

    /** "Why didn't it scale?": the group's decisions, newest first. */
    decisions: async (groupId: ScalingGroupId, options: { limit?: number }): Promise<readonly ScalingDecision[]> => {
      if (!(await store.groups.get(groupId))) notFound('ScalingGroupNotFound', 'scaling group', groupId)
      return store.decisions.list({ groupId, limit: Math.min(options.limit ?? 50, HISTORY_LIMIT_MAX) })
    },
  }
}

function validateConditions(inputs: AlarmInput['conditions']): AlarmCondition[] {
  if (inputs.length === 0) invalid('conditions', 'name at least one metric condition')
  if (inputs.length > CONDITIONS_MAX) invalid('conditions', `at most ${CONDITIONS_MAX}`)
  const conditions = inputs.map((input, index): AlarmCondition => {
    const field = `conditions.${index}`
    const id = input.id ?? (index === 0 ? 'm1' : `m${index + 1}`)
    if (!/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(id)) invalid(`${field}.id`, 'a letter, then up to 31 letters, digits or _')
    validateMetric(`${field}.metric`, input.metric)
    if (!STATISTICS.includes(input.statistic)) invalid(`${field}.statistic`, `one of ${STATISTICS.join(', ')}`)
    if (!COMPARISONS.includes(input.comparison)) invalid(`${field}.comparison`, `one of ${COMPARISONS.join(' ')}`)
    if (!Number.isFinite(input.threshold)) invalid(`${field}.threshold`, 'must be a finite number')
    return {
      id,
      metric: input.metric,
      statistic: input.statistic,
      comparison: input.comparison,
      threshold: input.threshold,
    }
  })
  const ids = conditions.map((condition) => condition.id)
  if (new Set(ids).size !== ids.length) invalid('conditions', 'condition ids must differ')
  return conditions
}

function validateMetric(field: string, metric: MetricSelector): void {
  switch (metric.kind) {
    case 'Builtin':
      if (!isBuiltinMetric(metric.name)) {
        invalid(`${field}.name`, `unknown metric "${metric.name}"; built-in metrics: ${BUILTIN_METRICS.join(', ')}`)
      }
      return
    case 'Custom':
      requireMetricName(`${field}.namespace`, metric.namespace)
      requireMetricName(`${field}.name`, metric.name)
      return
    case 'PromQL':
      if (metric.query.trim() === '' || metric.query.length > PROMQL_LENGTH_MAX) {
        invalid(`${field}.query`, `a PromQL expression of 1 to ${PROMQL_LENGTH_MAX} characters`)
      }
      return
  }
}

export function requireMetricName(field: string, value: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/:-]{0,127}$/.test(value)) {
    invalid(field, 'must be 1 to 128 letters, digits, dots, dashes, underscores, slashes or colons')
  }
}

function validateExpression(expression: string, conditions: readonly AlarmCondition[]): void {
  const parsed = parseExpression(expression)
  if ('error' in parsed) invalid('expression', `does not parse: ${parsed.error}`)
  const known = new Set(conditions.map((condition) => condition.id))
  const unknown = conditionIds(parsed).find((id) => !known.has(id))
  if (unknown !== undefined) invalid('expression', `names "${unknown}", which is not a condition id`)
}
