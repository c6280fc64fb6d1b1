import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { formatAge, formatDuration, formatTime, formatTimeWithAge } from './time-format.ts'

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

describe('formatDuration', () => {
  test('uses at most two units, the smaller zero-padded', () => {
    assert.equal(formatDuration(0), '0s')
    assert.equal(formatDuration(45 * SECOND + 999), '45s')
    assert.equal(formatDuration(3 * MINUTE + 12 * SECOND), '3m12s')
    assert.equal(formatDuration(3 * MINUTE + 2 * SECOND), '3m02s')
    assert.equal(formatDuration(2 * HOUR + 5 * MINUTE + 59 * SECOND), '2h05m')
    assert.equal(formatDuration(3 * DAY + 4 * HOUR), '3d04h')
  })

  test('shows negative durations (clock skew) as 0s', () => {
    assert.equal(formatDuration(-5 * SECOND), '0s')
  })
})

describe('formatTime', () => {
  test('prints local wall-clock time', () => {
    const epochMs = new Date(2025, 0, 2, 3, 4, 5).getTime()
    assert.equal(formatTime(epochMs), '2025-01-02 03:04:05')
  })

  test('prints - for a missing time', () => {
    assert.equal(formatTime(null), '-')
    assert.equal(formatAge(undefined, 0), '-')
    assert.equal(formatTimeWithAge(null, 0), '-')
  })
})

describe('ages', () => {
  const nowMs = new Date(2025, 0, 2, 3, 4, 5).getTime()

  test('formatAge is the time since', () => {
    assert.equal(formatAge(nowMs - 192 * SECOND, nowMs), '3m12s')
  })

  test('formatTimeWithAge says ago for the past and in for the future', () => {
    assert.equal(formatTimeWithAge(nowMs - 5 * SECOND, nowMs), '2025-01-02 03:04:00 (5s ago)')
    assert.equal(formatTimeWithAge(nowMs + 100 * SECOND, nowMs), '2025-01-02 03:05:45 (in 1m40s)')
  })
})
