import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { AlarmCondition, AlarmState } from './alarm.ts'
import { evaluateAlarm, periodEndToEvaluate } from './evaluate-alarm.ts'
import { conditionIds, evaluateExpression, parseExpression, type Truth } from './expression.ts'

const cpu: AlarmCondition = {
  id: 'cpu',
  metric: { kind: 'Builtin', name: 'CpuUtilization' },
  statistic: 'Maximum',
  comparison: '>=',
  threshold: 80,
}
const queue: AlarmCondition = {
  id: 'queue',
  metric: { kind: 'Custom', namespace: 'shop', name: 'QueueLength', dimensions: {} },
  statistic: 'Average',
  comparison: '>',
  threshold: 100,
}
const base = {
  conditions: [cpu],
  expression: null as string | null,
  evaluationCount: 1,
  state: 'OK' as AlarmState,
  consecutiveBreaches: 0,
}

describe('the alarm state machine', () => {
  test('seed 000: one 1-minute maximum of 80% or more fires at once and runs the rules', () => {
    const result = evaluateAlarm(base, new Map([['cpu', 80]]))
    assert.equal(result.state, 'ALARM')
    assert.equal(result.runActions, true)
    assert.deepEqual(result.values, { cpu: 80 })
  })

  test('below the threshold: OK, nothing runs', () => {
    const result = evaluateAlarm({ ...base, state: 'ALARM', consecutiveBreaches: 4 }, new Map([['cpu', 79.9]]))
    assert.equal(result.state, 'OK')
    assert.equal(result.consecutiveBreaches, 0)
    assert.equal(result.runActions, false)
  })

  test('three evaluations: fires on the third consecutive breach, and keeps running while it stays', () => {
    let alarm = { ...base, evaluationCount: 3 }
    const states: string[] = []
    for (const value of [90, 95, 99, 99]) {
      const result = evaluateAlarm(alarm, new Map([['cpu', value]]))
      states.push(`${result.state}:${result.runActions}`)
      alarm = { ...alarm, state: result.state, consecutiveBreaches: result.consecutiveBreaches }
    }
    assert.deepEqual(states, ['OK:false', 'OK:false', 'ALARM:true', 'ALARM:true'])
  })

  test('a period with no data is never a breach: INSUFFICIENT_DATA, and the count starts again', () => {
    const result = evaluateAlarm({ ...base, state: 'ALARM', consecutiveBreaches: 5 }, new Map([['cpu', null]]))
    assert.equal(result.state, 'INSUFFICIENT_DATA')
    assert.equal(result.consecutiveBreaches, 0)
    assert.equal(result.runActions, false)
    assert.match(result.reason, /no data/)
  })

  test('a source that fails gives INSUFFICIENT_DATA with its reason', () => {
    const result = evaluateAlarm(base, new Map([['cpu', { error: 'Prometheus is down' }]]))
    assert.equal(result.state, 'INSUFFICIENT_DATA')
    assert.match(result.reason, /Prometheus is down/)
  })

  test('two conditions: && needs both, || either; a missing one only decides when it must', () => {
    const both = { ...base, conditions: [cpu, queue], expression: 'cpu && queue' }
    assert.equal(
      evaluateAlarm(
        both,
        new Map([
          ['cpu', 90],
          ['queue', 50],
        ]),
      ).state,
      'OK',
    )
    assert.equal(
      evaluateAlarm(
        both,
        new Map([
          ['cpu', 90],
          ['queue', 150],
        ]),
      ).state,
      'ALARM',
    )
    assert.equal(
      evaluateAlarm(
        both,
        new Map([
          ['cpu', 10],
          ['queue', null],
        ]),
      ).state,
      'OK',
    )
    const either = { ...both, expression: 'cpu || queue' }
    assert.equal(
      evaluateAlarm(
        either,
        new Map([
          ['cpu', 10],
          ['queue', 150],
        ]),
      ).state,
      'ALARM',
    )
    assert.equal(
      evaluateAlarm(
        either,
        new Map([
          ['cpu', 90],
          ['queue', null],
        ]),
      ).state,
      'ALARM',
    )
    assert.equal(
      evaluateAlarm(
        either,
        new Map([
          ['cpu', 10],
          ['queue', null],
        ]),
      ).state,
      'INSUFFICIENT_DATA',
    )
  })
})

describe('the expression', () => {
  test('&& binds tighter than ||; parentheses group', () => {
    const parsed = parseExpression('a || b && c')
    assert.ok(!('error' in parsed))
    const truths = (a: Truth, b: Truth, c: Truth) =>
      new Map<string, Truth>([
        ['a', a],
        ['b', b],
        ['c', c],
      ])
    assert.equal(evaluateExpression(parsed, truths(false, true, false)), false)
    assert.equal(evaluateExpression(parsed, truths(true, false, false)), true)
    const grouped = parseExpression('(a || b) && c')
    assert.ok(!('error' in grouped))
    assert.equal(evaluateExpression(grouped, truths(true, false, false)), false)
    assert.deepEqual(conditionIds(grouped), ['a', 'b', 'c'])
  })

  test('what does not parse says why', () => {
    for (const text of ['a &&', '&& a', '(a || b', 'a b', 'a & b', '']) {
      assert.ok('error' in parseExpression(text), text)
    }
  })
})

test('a period ends at the evaluation, once a period has passed since the last', () => {
  assert.equal(periodEndToEvaluate(null, 125_500, 60), 125_500)
  assert.equal(periodEndToEvaluate(125_500, 185_000, 60), null)
  assert.equal(periodEndToEvaluate(125_500, 185_500, 60), 185_500)
  assert.equal(periodEndToEvaluate(125_500, 126_510, 1), 126_510)
})
