import assert from 'node:assert/strict'
import { test } from 'node:test'
import { computeStatistic, percentile, statisticOfRollUps } from './statistics.ts'

test('the statistics of one period, computed by hand', () => {
  const values = [10, 40, 20, 90, 40]
  assert.equal(computeStatistic(values, 'Average'), 40)
  assert.equal(computeStatistic(values, 'Maximum'), 90)
  assert.equal(computeStatistic(values, 'Minimum'), 10)
  assert.equal(computeStatistic(values, 'Sum'), 200)
  assert.equal(computeStatistic(values, 'SampleCount'), 5)
  assert.equal(computeStatistic(values, 'p50'), 40)
  assert.equal(computeStatistic(values, 'p90'), 90)
})

test('nearest-rank percentiles', () => {
  const hundred = Array.from({ length: 100 }, (_, index) => index + 1)
  assert.equal(percentile(hundred, 50), 50)
  assert.equal(percentile(hundred, 90), 90)
  assert.equal(percentile(hundred, 99), 99)
  assert.equal(percentile([7], 99), 7)
})

test('a period with no data has no statistic, not zero (SampleCount is 0)', () => {
  assert.equal(computeStatistic([], 'Average'), null)
  assert.equal(computeStatistic([], 'Maximum'), null)
  assert.equal(computeStatistic([], 'SampleCount'), 0)
})

test('roll-ups give the same Average, Sum, extremes and count as the raw points, and no percentile', () => {
  const rollUps = [
    { sampleCount: 2, sum: 50, minimum: 10, maximum: 40 },
    { sampleCount: 3, sum: 150, minimum: 20, maximum: 90 },
  ]
  assert.equal(statisticOfRollUps(rollUps, 'Average'), 40)
  assert.equal(statisticOfRollUps(rollUps, 'Maximum'), 90)
  assert.equal(statisticOfRollUps(rollUps, 'Minimum'), 10)
  assert.equal(statisticOfRollUps(rollUps, 'SampleCount'), 5)
  assert.equal(statisticOfRollUps(rollUps, 'p90'), null)
  assert.equal(statisticOfRollUps([], 'Average'), null)
})
