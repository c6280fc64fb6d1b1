import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bucketUpperBoundMs, createTrafficWindow, latencyBucket, STATS_WINDOW_SECONDS } from './traffic-window.ts'

const T0 = 1_700_000_000_000

test('percentiles are within the histogram resolution of the truth', () => {
  const window = createTrafficWindow(T0)
  for (let i = 1; i <= 1000; i++) window.record(T0 + 5_000, i / 10, false) // 0.1 … 100 ms
  const { latencyP50Ms, latencyP99Ms } = window.snapshot(T0 + 5_500)
  assert.ok(latencyP50Ms !== null && Math.abs(latencyP50Ms - 50) / 50 < 0.05, `p50 ${latencyP50Ms}`)
  assert.ok(latencyP99Ms !== null && Math.abs(latencyP99Ms - 99) / 99 < 0.05, `p99 ${latencyP99Ms}`)
})

test('rates count the window only, and a young proxy divides by what it has seen', () => {
  const window = createTrafficWindow(T0)
  for (let i = 0; i < 20; i++) window.record(T0 + 1_000, 1, i % 4 === 0)
  const young = window.snapshot(T0 + 2_000)
  assert.equal(young.requestsPerSecond, 10)
  assert.equal(young.errorRatePercent, 25)
  const later = window.snapshot(T0 + (STATS_WINDOW_SECONDS + 2) * 1000)
  assert.deepEqual(later, { requestsPerSecond: 0, latencyP50Ms: null, latencyP99Ms: null, errorRatePercent: 0 })
})

test('latency buckets are monotonic and cover sub-millisecond to minutes', () => {
  assert.equal(latencyBucket(0), 0)
  assert.equal(latencyBucket(Number.NaN), 0)
  let previous = 0
  for (const ms of [0.02, 0.5, 1, 10, 250, 5_000, 600_000, 10_000_000]) {
    const bucket = latencyBucket(ms)
    assert.ok(bucket >= previous)
    assert.ok(bucketUpperBoundMs(bucket) >= Math.min(ms, 600_000) * 0.999, `${ms} ms fits its bucket`)
    previous = bucket
  }
})
