import assert from 'node:assert/strict'
import { test } from 'node:test'
import { datapointsOfRaw, datapointsOfRollUps } from './datapoints.ts'

const range = { fromMs: 0, toMs: 180_000, periodMs: 60_000 }

test('raw points in period buckets; an empty period has no value', () => {
  const points = [
    { atMs: 1_000, value: 10 },
    { atMs: 59_999, value: 30 },
    { atMs: 120_000, value: 5 },
  ]
  assert.deepEqual(datapointsOfRaw(points, 'Average', range), [
    { atMs: 0, value: 20 },
    { atMs: 60_000, value: null },
    { atMs: 120_000, value: 5 },
  ])
})

test('roll-ups merge into longer periods', () => {
  const rollUps = [
    { minuteMs: 0, sampleCount: 60, sum: 600, minimum: 1, maximum: 50 },
    { minuteMs: 60_000, sampleCount: 60, sum: 1_200, minimum: 2, maximum: 90 },
  ]
  assert.deepEqual(datapointsOfRollUps(rollUps, 'Maximum', { fromMs: 0, toMs: 120_000, periodMs: 120_000 }), [
    { atMs: 0, value: 90 },
  ])
  assert.deepEqual(datapointsOfRollUps(rollUps, 'Average', { fromMs: 0, toMs: 120_000, periodMs: 120_000 }), [
    { atMs: 0, value: 15 },
  ])
})
