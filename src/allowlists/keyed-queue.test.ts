import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { createKeyedQueue } from './keyed-queue.ts'

test('work on one key runs one at a time, in arrival order, even when some fails', async () => {
  const queue = createKeyedQueue('the file')
  const events: string[] = []
  const step =
    (name: string, fail = false) =>
    async () => {
      events.push(`start ${name}`)
      await sleep(5)
      events.push(`end ${name}`)
      if (fail) throw new Error(name)
      return name
    }
  const results = await Promise.allSettled([
    queue.run('a', step('1')),
    queue.run('a', step('2', true)),
    queue.run('a', step('3')),
  ])
  assert.deepEqual(events, ['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3'])
  assert.deepEqual(
    results.map((result) => result.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  )
})

test('different keys do not wait for each other', async () => {
  const queue = createKeyedQueue('the file')
  let release: () => void = () => {}
  const blocked = queue.run('a', () => new Promise<void>((resolve) => (release = resolve)))
  assert.equal(await queue.run('b', async () => 'b ran'), 'b ran')
  release()
  await blocked
})
