/**
 * One evaluation of an alarm for one period: each condition's statistic against its threshold,
 * combined by the expression, then the state machine of alarm.ts. Pure.
 */
import { type Alarm, type AlarmState, compare, describeMetric } from './alarm.ts'
import { type Expression, evaluateExpression, parseExpression, type Truth } from './expression.ts'

/** A condition's statistic for the period: a number, no data (null), or why it could not be read. */
export type ConditionValue = number | null | { readonly error: string }

export interface AlarmEvaluation {
  readonly state: AlarmState
  readonly consecutiveBreaches: number
  readonly breached: Truth
  readonly reason: string
  readonly values: Readonly<Record<string, number | null>>
  /** Whether the alarm's rules run after this evaluation. */
  readonly runActions: boolean
}

export function evaluateAlarm(
  alarm: Pick<Alarm, 'conditions' | 'expression' | 'evaluationCount' | 'state' | 'consecutiveBreaches'>,
  values: ReadonlyMap<string, ConditionValue>,
): AlarmEvaluation {
  const truths = new Map<string, Truth>()
  const shown: Record<string, number | null> = {}
  const parts: string[] = []
  for (const condition of alarm.conditions) {
    const value = values.get(condition.id) ?? null
    const metric = `${condition.statistic} ${describeMetric(condition.metric)}`
    if (value === null || typeof value === 'object') {
      truths.set(condition.id, 'unknown')
      shown[condition.id] = null
      parts.push(value === null ? `${metric}: no data` : `${metric}: ${value.error}`)
      continue
    }
    const breach = compare(value, condition.comparison, condition.threshold)
    truths.set(condition.id, breach)
    shown[condition.id] = value
    parts.push(`${metric} = ${round(value)} ${breach ? '' : 'not '}${condition.comparison} ${condition.threshold}`)
  }
  const breached = evaluateExpression(expressionOf(alarm), truths)
  const detail = parts.join('; ')
  if (breached === 'unknown') {
    return {
      state: 'INSUFFICIENT_DATA',
      consecutiveBreaches: 0,
      breached,
      reason: detail,
      values: shown,
      runActions: false,
    }
  }
  if (!breached) {
    return { state: 'OK', consecutiveBreaches: 0, breached, reason: detail, values: shown, runActions: false }
  }
  const consecutiveBreaches = alarm.consecutiveBreaches + 1
  const firing = consecutiveBreaches >= alarm.evaluationCount
  return {
    state: firing ? 'ALARM' : 'OK',
    consecutiveBreaches,
    breached,
    reason: firing
      ? `${detail} (${consecutiveBreaches} consecutive breaching period(s), ${alarm.evaluationCount} needed)`
      : `${detail} (breach ${consecutiveBreaches} of ${alarm.evaluationCount} needed)`,
    values: shown,
    runActions: firing,
  }
}

/** The alarm's expression; none means every condition must breach. */
export function expressionOf(alarm: Pick<Alarm, 'conditions' | 'expression'>): Expression {
  if (alarm.expression !== null) {
    const parsed = parseExpression(alarm.expression)
    if (!('error' in parsed)) return parsed
  }
  const [first, ...rest] = alarm.conditions.map((condition): Expression => ({ kind: 'condition', id: condition.id }))
  if (!first) return { kind: 'condition', id: '' }
  return rest.reduce((left, right): Expression => ({ kind: 'and', left, right }), first)
}

/**
 * The end of the period to evaluate now, or null when the last one ended less than a period ago.
 * Periods end at the evaluation itself, (now − P, now], rather than at multiples of P: the sample
 * taken in this tick is judged in this tick, which takes up to a period off the reaction of a
 * short-period alarm. After a pause (the server was down) the next period simply ends now.
 */
export function periodEndToEvaluate(
  lastPeriodEndMs: number | null,
  nowMs: number,
  periodSeconds: number,
): number | null {
  if (lastPeriodEndMs === null || nowMs - lastPeriodEndMs >= periodSeconds * 1000) return nowMs
  return null
}

const round = (value: number): number => Math.round(value * 100) / 100
