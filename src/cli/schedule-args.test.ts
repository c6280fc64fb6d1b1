/** The `billow schedule` flags as REST bodies: recurrences, actions, and what may not be combined. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseMonthDays, parseWeekdays, scheduleBodyFrom } from './schedule-args.ts'

test('weekdays by name, number or range; month days by list or range', () => {
  assert.deepEqual(parseWeekdays('mon,fri'), [1, 5])
  assert.deepEqual(parseWeekdays('Mon-Fri'), [1, 2, 3, 4, 5])
  assert.deepEqual(parseWeekdays('0,6'), [0, 6])
  assert.deepEqual(parseMonthDays('1-3,15'), [1, 2, 3, 15])
  assert.throws(() => parseMonthDays('5-1'), /runs backwards/)
  assert.throws(() => parseWeekdays('someday'), /--weekly day/)
})

test('create bodies carry the recurrence and the action the flags name', () => {
  assert.deepEqual(
    scheduleBodyFrom(
      {
        group: 'asg-1',
        name: 'lunch',
        at: '2026-01-05 11:00',
        timeZone: 'Asia/Shanghai',
        daily: true,
        rule: 'asr-1',
        expiration: 7200,
      },
      { creating: true },
    ),
    {
      groupId: 'asg-1',
      name: 'lunch',
      timeZone: 'Asia/Shanghai',
      launchTime: '2026-01-05 11:00',
      recurrence: { type: 'Daily', intervalDays: 1 },
      launchExpirationSeconds: 7200,
      action: { kind: 'ExecuteRule', ruleId: 'asr-1' },
    },
  )
  const sized = scheduleBodyFrom({ at: 'x', daily: '2', min: 2, desired: 4, windowEnd: '13:00' }, { creating: false })
  assert.deepEqual(sized.recurrence, { type: 'Daily', intervalDays: 2 })
  assert.deepEqual(sized.action, { kind: 'SetGroupSize', minSize: 2, desiredCapacity: 4 })
  assert.equal(sized.windowEndTime, '13:00')
  const cleared = scheduleBodyFrom({ once: true, clearUntil: true, clearWindow: true }, { creating: false })
  assert.deepEqual(cleared, { recurrence: null, recurrenceEndTime: null, windowEndTime: null })
})

test('contradicting flags are usage errors', () => {
  assert.throws(() => scheduleBodyFrom({ daily: true, cron: '* * * * *' }, { creating: false }), /one of --daily/)
  assert.throws(() => scheduleBodyFrom({ rule: 'asr-1', desired: 2 }, { creating: false }), /either --rule/)
  assert.throws(
    () => scheduleBodyFrom({ group: 'g', name: 'n', at: 't' }, { creating: true }),
    /say what the task does/,
  )
})
