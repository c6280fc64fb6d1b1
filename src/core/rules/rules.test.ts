import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { chooseStep, type StepAdjustment, stepsProblem } from './step-adjustment.ts'
import { targetCapacityFor } from './target-tracking.ts'

describe('step adjustments', () => {
  // Threshold 60 %: 60–70 → +1, 70–85 → +2, 85 and up → +4.
  const steps: StepAdjustment[] = [
    { lowerBound: 0, upperBound: 10, adjustmentValue: 1 },
    { lowerBound: 10, upperBound: 25, adjustmentValue: 2 },
    { lowerBound: 25, upperBound: null, adjustmentValue: 4 },
  ]
  test('the step is chosen by the distance past the threshold, lower bound inclusive', () => {
    assert.equal(chooseStep(steps, 60, 60)?.adjustmentValue, 1)
    assert.equal(chooseStep(steps, 69.9, 60)?.adjustmentValue, 1)
    assert.equal(chooseStep(steps, 70, 60)?.adjustmentValue, 2)
    assert.equal(chooseStep(steps, 99, 60)?.adjustmentValue, 4)
    assert.equal(chooseStep(steps, 59, 60), undefined)
  })
  test('scale-in steps lie below the threshold', () => {
    const down: StepAdjustment[] = [
      { lowerBound: -10, upperBound: 0, adjustmentValue: -1 },
      { lowerBound: null, upperBound: -10, adjustmentValue: -2 },
    ]
    assert.equal(chooseStep(down, 15, 20)?.adjustmentValue, -1)
    assert.equal(chooseStep(down, 5, 20)?.adjustmentValue, -2)
  })
  test('overlapping or inverted steps are refused', () => {
    assert.equal(stepsProblem(steps), null)
    assert.match(stepsProblem([{ lowerBound: 5, upperBound: 1, adjustmentValue: 1 }]) ?? '', /below/)
    assert.match(
      stepsProblem([
        { lowerBound: 0, upperBound: 10, adjustmentValue: 1 },
        { lowerBound: 5, upperBound: null, adjustmentValue: 2 },
      ]) ?? '',
      /overlap/,
    )
    assert.match(stepsProblem([]) ?? '', /at least one/)
  })
})

describe('target tracking', () => {
  const hpa = (replicas: number, metric: number, target: number) => Math.ceil(replicas * (metric / target))

  test('hand-computed: 4 instances at 90 % CPU with a 60 % target need 6', () => {
    assert.deepEqual(targetCapacityFor({ current: 4, metricValue: 90, targetValue: 60, disableScaleIn: false }), {
      kind: 'scale',
      capacity: 6,
      ratio: 1.5,
    })
  })

  test('hand-computed: 10 instances at 20 % with a 50 % target shrink to 4; never below one', () => {
    const decision = targetCapacityFor({ current: 10, metricValue: 20, targetValue: 50, disableScaleIn: false })
    assert.equal(decision.kind === 'scale' && decision.capacity, 4)
    const idle = targetCapacityFor({ current: 3, metricValue: 0.5, targetValue: 50, disableScaleIn: false })
    assert.equal(idle.kind === 'scale' && idle.capacity, 1)
  })

  test('agrees with the Kubernetes HPA formula outside its 10 % tolerance', () => {
    for (const replicas of [1, 2, 3, 7, 20]) {
      for (const metric of [5, 30, 49, 61, 75, 100, 250]) {
        const target = 50
        const decision = targetCapacityFor({
          current: replicas,
          metricValue: metric,
          targetValue: target,
          disableScaleIn: false,
        })
        const ratio = metric / target
        if (Math.abs(ratio - 1) <= 0.1) assert.equal(decision.kind, 'hold')
        else if (hpa(replicas, metric, target) !== replicas) {
          assert.equal(
            decision.kind === 'scale' && decision.capacity,
            hpa(replicas, metric, target),
            `${replicas}×${metric}`,
          )
        }
      }
    }
  })

  test('inside the tolerance, with scale-in disabled, or with nothing counted: hold, saying why', () => {
    const within = targetCapacityFor({ current: 4, metricValue: 64, targetValue: 60, disableScaleIn: false })
    assert.equal(within.kind, 'hold')
    assert.match(within.kind === 'hold' ? within.reason : '', /tolerance/)
    const noScaleIn = targetCapacityFor({ current: 4, metricValue: 10, targetValue: 60, disableScaleIn: true })
    assert.match(noScaleIn.kind === 'hold' ? noScaleIn.reason : '', /disabled/)
    const warming = targetCapacityFor({ current: 0, metricValue: 90, targetValue: 60, disableScaleIn: false })
    assert.match(warming.kind === 'hold' ? warming.reason : '', /warming/)
  })
})
