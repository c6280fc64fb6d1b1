/** Per-listener figures from the request ring: the window, percentiles and what counts as an error. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { REQUEST_LOG_BYTES } from './haproxy-config.ts'
import { parseRequestLog, STATS_WINDOW_SECONDS, windowFigures } from './request-log.ts'

const NOW_MS = 1_800_000_000_000

const line = (agoMs: number, frontend: string, status: string, latencyMs: number, state = '--') =>
  `${NOW_MS - agoMs} ${frontend} ${status} ${latencyMs} ${state}`

test('latency percentiles, rate and error rate over the window, per frontend', () => {
  const lines = [
    line(STATS_WINDOW_SECONDS * 1000 + 1, 'web', '200', 999), // before the window
    ...Array.from({ length: 98 }, (_, i) => line(1000 + i, 'web', '200', i + 1)),
    line(500, 'web', '503', 3000, 'sC'),
    line(400, 'web', '200', 5000),
    line(300, 'other', '200', 7),
  ]
  const log = parseRequestLog(lines.join('\n'))
  const figures = windowFigures(log, 'web', 'HTTP', NOW_MS)
  assert.equal(figures.requestsPerSecond, 100 / STATS_WINDOW_SECONDS)
  assert.equal(figures.latencyP50Ms, 50)
  assert.equal(figures.latencyP99Ms, 3000)
  assert.equal(figures.errorRatePercent, 1)
})

test('an empty window has no latency and no errors', () => {
  const figures = windowFigures(parseRequestLog(''), 'web', 'HTTP', NOW_MS)
  assert.deepEqual(figures, { requestsPerSecond: 0, latencyP50Ms: null, latencyP99Ms: null, errorRatePercent: 0 })
})

test('TCP errors are sessions that failed connecting to or queued for a backend, not client aborts', () => {
  const log = parseRequestLog(
    [
      line(100, 'db', '-', 10, '--'),
      line(100, 'db', '-', 10, 'SC'),
      line(100, 'db', '-', 10, 'sQ'),
      line(100, 'db', '-', 10, 'CC'),
      line(100, 'db', '-', 10, 'SD'),
    ].join('\n'),
  )
  assert.equal(windowFigures(log, 'db', 'TCP', NOW_MS).errorRatePercent, 40)
})

test('lines that are not requests are skipped; a request that never completed has no latency', () => {
  const log = parseRequestLog(['garbage', line(100, 'web', '200', -1), line(100, 'web', '200', 12), ''].join('\n'))
  assert.equal(log.entries.length, 1)
  assert.equal(log.completeSinceMs, null)
})

test('a full ring covers only from its oldest request: the rate is over that span', () => {
  const entry = line(2000, 'web', '200', 1)
  const text = Array.from({ length: Math.ceil(REQUEST_LOG_BYTES / entry.length) }, () => entry).join('\n')
  const log = parseRequestLog(text)
  assert.equal(log.completeSinceMs, NOW_MS - 2000)
  assert.equal(windowFigures(log, 'web', 'HTTP', NOW_MS).requestsPerSecond, log.entries.length / 2)
})
