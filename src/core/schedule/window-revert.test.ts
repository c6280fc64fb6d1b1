/** What a window's revert restores, and when a later change wins. Pure. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ActivityId, ScheduledTaskId } from '../ids.ts'
import type { Activity, ActivityPlan, ScheduledCause } from '../types.ts'
import { changedSince, revertRequest } from './window-revert.ts'

const cause: ScheduledCause = { taskId: 'sst-1' as ScheduledTaskId, occurrenceAtMs: 0, phase: 'Revert' }
const plan = (parts: Partial<ActivityPlan>): ActivityPlan => ({
  capacityBefore: 2,
  capacityAfter: 4,
  launchCount: 2,
  launchZones: [],
  removals: [],
  attachments: [],
  startsCooldown: false,
  cooldownSeconds: 0,
  ...parts,
})

test('the settings the start changed are set back, and the revert expects what the start left', () => {
  const sizeBefore = { minSize: 0, maxSize: 10, desiredCapacity: 2 }
  const sizeAfter = { minSize: 3, maxSize: 10, desiredCapacity: 4 }
  assert.deepEqual(revertRequest({ plan: plan({ sizeBefore, sizeAfter }) }, cause), {
    kind: 'SetGroupSize',
    minSize: 0,
    maxSize: null,
    desiredCapacity: 2,
    honorCooldown: true,
    origin: 'Scheduled',
    scheduled: cause,
    expected: sizeAfter,
  })
})

test('a rule on a group without desired capacity is reverted to the capacity before it', () => {
  const size = { minSize: 0, maxSize: 10, desiredCapacity: null }
  const request = revertRequest({ plan: plan({ sizeBefore: size, sizeAfter: size }) }, cause)
  assert.equal(typeof request === 'object' && request.kind === 'SetGroupSize' && request.desiredCapacity, 2)
  const unchanged = plan({ capacityAfter: 2, sizeBefore: size, sizeAfter: size })
  assert.match(String(revertRequest({ plan: unchanged }, cause)), /changed nothing/)
})

test('a later size change by anyone but fixed-number mode wins', () => {
  const start = { id: 'asa-start' as ActivityId, startedAtMs: 1_000 }
  const later = (kind: Activity['request']['kind'], startedAtMs: number): Activity =>
    ({
      id: `asa-${kind}` as ActivityId,
      request: { kind } as Activity['request'],
      status: 'Successful',
      plan: plan({ capacityBefore: 4, capacityAfter: 5 }),
      startedAtMs,
    }) as Activity
  assert.equal(changedSince(start, [later('FixedNumber', 2_000), later('ElasticRecovery', 3_000)]), null)
  assert.equal(changedSince(start, [later('ExecuteRule', 500)]), null, 'earlier activities do not count')
  assert.match(String(changedSince(start, [later('SetDesiredCapacity', 2_000)])), /asa-SetDesiredCapacity/)
})
