/** Metric points in the SQLite store: raw rows, one-minute roll-ups folded at insert, pruning. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ScalingGroupId } from '../../core/ids.ts'
import type { MetricPoint } from '../../core/metrics/metric.ts'
import { openSqliteStore } from './sqlite-store.ts'

const groupId = 'asg-1' as ScalingGroupId
const point = (atMs: number, value: number, counted = true): MetricPoint => ({
  namespace: 'billow',
  name: 'CpuUtilization',
  groupId,
  instanceId: null,
  dimensions: {},
  atMs,
  value,
  counted,
})

test('roll-ups keep count, sum and extremes per minute; pruning drops raw points first', async () => {
  const store = await openSqliteStore(':memory:')
  try {
    await store.metrics.insert([point(1_000, 10), point(2_000, 30), point(61_000, 50), point(62_000, 99, false)])
    const filter = { namespace: 'billow', name: 'CpuUtilization', groupId }
    assert.equal((await store.metrics.rawValues(filter, 0, 120_000)).length, 4)
    assert.equal((await store.metrics.rawValues({ ...filter, countedOnly: true }, 0, 120_000)).length, 3)
    assert.deepEqual(await store.metrics.rollUps({ ...filter, countedOnly: true }, 0, 120_000), [
      { minuteMs: 0, sampleCount: 2, sum: 40, minimum: 10, maximum: 30 },
      { minuteMs: 60_000, sampleCount: 1, sum: 50, minimum: 50, maximum: 50 },
    ])
    assert.equal(await store.metrics.prune(60_000, 0), 2)
    assert.equal((await store.metrics.rawValues(filter, 0, 120_000)).length, 2)
    assert.equal((await store.metrics.rollUps({ ...filter, countedOnly: true }, 0, 120_000)).length, 2)
    await store.metrics.prune(60_000, 60_000)
    assert.equal((await store.metrics.rollUps({ ...filter, countedOnly: true }, 0, 120_000)).length, 1)
    assert.deepEqual(await store.metrics.names({ groupId }), [{ namespace: 'billow', name: 'CpuUtilization' }])
  } finally {
    await store.close()
  }
})
