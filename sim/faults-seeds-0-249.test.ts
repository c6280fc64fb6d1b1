/**
 * Goal: under every fault the engine can meet (launch failures and timeouts, slow boots,
 * instance crashes, health flaps, controller crashes mid-tick and restarts, store write failures,
 * clock jumps), every invariant holds after every step and the group converges once they stop.
 * Method: 250 seeds here and 250 in faults-seeds-250-499.test.ts (the runner takes the two files
 * in parallel); `npm run sim:soak -- --seeds 100000` runs the nightly size.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { describeFailure, runSeeds, TEST_FAULT_STEPS } from './faults/seed-range.ts'

test('fault injection: seeds 0–249 keep every invariant', async () => {
  const failures = await runSeeds({ fromSeed: 0, count: 250, faultSteps: TEST_FAULT_STEPS })
  assert.equal(failures.length, 0, failures.map((f) => describeFailure(f, TEST_FAULT_STEPS)).join('\n'))
})
