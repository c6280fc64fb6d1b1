/**
 * The second half of the 500 seeds `npm test` runs (see faults-seeds-0-249.test.ts), and the
 * replay property: the same seed gives the same event log, byte for byte.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runSeed } from './faults/run-seed.ts'
import { describeFailure, runSeeds, TEST_FAULT_STEPS } from './faults/seed-range.ts'

test('fault injection: seeds 250–499 keep every invariant', async () => {
  const failures = await runSeeds({ fromSeed: 250, count: 250, faultSteps: TEST_FAULT_STEPS })
  assert.equal(failures.length, 0, failures.map((f) => describeFailure(f, TEST_FAULT_STEPS)).join('\n'))
})

test('a seed replays exactly: same event log, byte for byte', async () => {
  for (const seed of [7, 22]) {
    const first = (await runSeed(seed)).events.join('\n')
    const second = (await runSeed(seed)).events.join('\n')
    assert.ok(first.includes(' fault '), `seed ${seed} injected faults`)
    assert.equal(Buffer.compare(Buffer.from(first), Buffer.from(second)), 0, `seed ${seed} replays`)
  }
})
