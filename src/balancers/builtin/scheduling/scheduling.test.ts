import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type SchedulableBackend, schedulerFor } from './scheduler.ts'

const backend = (key: string, weight = 1, activeConnections = 0): SchedulableBackend => ({
  key,
  weight,
  activeConnections,
})

function tally(picks: readonly (SchedulableBackend | undefined)[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const pick of picks) if (pick) counts[pick.key] = (counts[pick.key] ?? 0) + 1
  return counts
}

test('round robin takes each backend in turn, ignoring weights', () => {
  const scheduler = schedulerFor('RoundRobin')
  const candidates = [backend('a', 100), backend('b', 1), backend('c', 1)]
  const picks = Array.from({ length: 9 }, () => scheduler.pick(candidates))
  assert.deepEqual(tally(picks), { a: 3, b: 3, c: 3 })
  assert.equal(scheduler.pick([]), undefined)
})

test('smooth weighted round robin follows the weights and never bursts the heavy backend', () => {
  const scheduler = schedulerFor('WeightedRoundRobin')
  const candidates = [backend('a', 3), backend('b', 1)]
  const picks = Array.from({ length: 8 }, () => scheduler.pick(candidates)?.key)
  assert.deepEqual(picks, ['a', 'a', 'b', 'a', 'a', 'a', 'b', 'a'])
  const five = [backend('a', 5), backend('b', 1), backend('c', 1)]
  assert.deepEqual(
    Array.from({ length: 7 }, () => scheduler.pick(five)?.key),
    ['a', 'a', 'b', 'a', 'c', 'a', 'a'],
  )
})

test('weighted round robin adapts when a backend leaves the candidates', () => {
  const scheduler = schedulerFor('WeightedRoundRobin')
  const a = backend('a', 2)
  const b = backend('b', 1)
  for (let i = 0; i < 5; i++) scheduler.pick([a, b])
  assert.deepEqual(tally(Array.from({ length: 6 }, () => scheduler.pick([b]))), { b: 6 })
  assert.deepEqual(tally(Array.from({ length: 30 }, () => scheduler.pick([a, b]))), { a: 20, b: 10 })
})

test('least connections picks the least loaded backend and spreads ties', () => {
  const scheduler = schedulerFor('LeastConnections')
  assert.equal(scheduler.pick([backend('a', 1, 5), backend('b', 1, 2), backend('c', 1, 9)])?.key, 'b')
  const idle = [backend('a'), backend('b'), backend('c')]
  assert.deepEqual(tally(Array.from({ length: 9 }, () => scheduler.pick(idle))), { a: 3, b: 3, c: 3 })
})
