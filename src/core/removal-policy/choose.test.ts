import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { InstanceId, LaunchConfigurationId } from '../ids.ts'
import { chooseForRemoval } from './choose.ts'
import type { RemovalCandidate } from './removal-policy.ts'

const candidate = (
  id: string,
  zoneId: string,
  createdAtMs: number,
  extra: Partial<RemovalCandidate> = {},
): RemovalCandidate => ({
  id: id as InstanceId,
  zoneId,
  createdAtMs,
  protected: false,
  launchConfigurationId: 'asc-new' as LaunchConfigurationId,
  state: 'InService',
  ...extra,
})
const context = {
  launchConfigurationCreatedAtMs: new Map([
    ['asc-old', 1],
    ['asc-new', 2],
  ]),
}
const ids = (chosen: readonly RemovalCandidate[]) => chosen.map((c) => c.id)

test('OldestInstance and NewestInstance order by age', () => {
  const candidates = [candidate('i-b', 'a', 20), candidate('i-a', 'a', 10), candidate('i-c', 'a', 30)]
  assert.deepEqual(ids(chooseForRemoval({ candidates, count: 2, policies: ['OldestInstance'], context })), [
    'i-a',
    'i-b',
  ])
  assert.deepEqual(ids(chooseForRemoval({ candidates, count: 1, policies: ['NewestInstance'], context })), ['i-c'])
})

test('a protected instance is never chosen, even when that means choosing fewer', () => {
  const candidates = [candidate('i-a', 'a', 10, { protected: true }), candidate('i-b', 'a', 20)]
  assert.deepEqual(ids(chooseForRemoval({ candidates, count: 2, policies: ['OldestInstance'], context })), ['i-b'])
})

test('OldestScalingConfiguration first, then the second policy', () => {
  const candidates = [
    candidate('i-a', 'a', 10),
    candidate('i-b', 'a', 30, { launchConfigurationId: 'asc-old' as LaunchConfigurationId }),
    candidate('i-c', 'a', 20, { launchConfigurationId: 'asc-old' as LaunchConfigurationId }),
  ]
  const chosen = chooseForRemoval({
    candidates,
    count: 2,
    policies: ['OldestScalingConfiguration', 'NewestInstance'],
    context,
  })
  assert.deepEqual(ids(chosen), ['i-b', 'i-c'])
})

test('ties go to the fuller zone, judged again after each pick, so removals keep zones balanced', () => {
  const candidates = [
    candidate('i-a1', 'a', 10),
    candidate('i-a2', 'a', 10),
    candidate('i-b1', 'b', 10),
    candidate('i-b2', 'b', 10),
    candidate('i-b3', 'b', 10),
  ]
  // b has 3 and a 2: the first pick comes from b; then both have 2 and the id breaks the tie.
  const chosen = chooseForRemoval({ candidates, count: 2, policies: ['OldestInstance'], context })
  assert.deepEqual(ids(chosen), ['i-b1', 'i-a1'])
})
