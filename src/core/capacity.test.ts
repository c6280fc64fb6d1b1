import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { percentChange, ruleOutcome, targetCapacity } from './capacity.ts'

const group = { minSize: 1, maxSize: 10 }

describe('percent changes round like the clouds', () => {
  test('a change between -1 and 1 becomes one instance', () => {
    assert.equal(percentChange(3, 10, null), 1)
    assert.equal(percentChange(3, -10, null), -1)
  })
  test('larger changes are truncated toward zero', () => {
    assert.equal(percentChange(3, 50, null), 1)
    assert.equal(percentChange(5, -50, null), -2)
    assert.equal(percentChange(4, 100, null), 4)
  })
  test('MinAdjustmentMagnitude lifts the magnitude, keeping the sign', () => {
    assert.equal(percentChange(4, 50, 3), 3)
    assert.equal(percentChange(4, -50, 3), -3)
    assert.equal(percentChange(40, 50, 3), 20)
  })
  test('no change from an empty group', () => {
    assert.equal(percentChange(0, 50, 2), 0)
  })
})

describe('rule outcomes', () => {
  test('each adjustment type', () => {
    const base = { minAdjustmentMagnitude: null }
    assert.equal(
      ruleOutcome({ ...base, adjustmentType: 'QuantityChangeInCapacity', adjustmentValue: 2 }, group, 3).capacityAfter,
      5,
    )
    assert.equal(
      ruleOutcome({ ...base, adjustmentType: 'PercentChangeInCapacity', adjustmentValue: -50 }, group, 6).capacityAfter,
      3,
    )
    assert.equal(
      ruleOutcome({ ...base, adjustmentType: 'TotalCapacity', adjustmentValue: 7 }, group, 3).capacityAfter,
      7,
    )
  })
  test('results are clamped to the bounds, and the outcome says which one', () => {
    const up = ruleOutcome(
      { adjustmentType: 'QuantityChangeInCapacity', adjustmentValue: 20, minAdjustmentMagnitude: null },
      group,
      3,
    )
    assert.deepEqual(up, { capacityBefore: 3, capacityRequested: 23, capacityAfter: 10, clampedBy: 'MaxSize' })
    const down = ruleOutcome(
      { adjustmentType: 'TotalCapacity', adjustmentValue: 0, minAdjustmentMagnitude: null },
      group,
      3,
    )
    assert.equal(down.capacityAfter, 1)
    assert.equal(down.clampedBy, 'MinSize')
  })
})

describe('fixed-number target', () => {
  test('desired when set, else the live count pulled into bounds', () => {
    assert.equal(targetCapacity({ minSize: 1, maxSize: 5, desiredCapacity: 3 }, 7), 3)
    assert.equal(targetCapacity({ minSize: 2, maxSize: 5, desiredCapacity: null }, 0), 2)
    assert.equal(targetCapacity({ minSize: 2, maxSize: 5, desiredCapacity: null }, 9), 5)
    assert.equal(targetCapacity({ minSize: 2, maxSize: 5, desiredCapacity: null }, 4), 4)
  })
})
