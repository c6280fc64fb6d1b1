import assert from 'node:assert/strict'
import { test } from 'node:test'
import { describeExit, describeWaitStatus } from './instance-directory.ts'
import { parseProcessStat, readProcessStat } from './proc-scan.ts'

test('parseProcessStat reads past a command name holding spaces and parentheses', () => {
  const tail = Array.from({ length: 49 }, (_, i) => String(i + 4)).join(' ')
  const stat = parseProcessStat(`4242 (my (odd) name) Z ${tail}`)
  assert.equal(stat?.pid, 4242)
  assert.equal(stat?.state, 'Z')
  assert.equal(stat?.processGroupId, 5)
  assert.equal(stat?.startTicks, 22)
  assert.equal(stat?.exitStatus, 52)
  assert.equal(parseProcessStat('garbage'), null)
})

test('readProcessStat sees this very process running', async () => {
  const stat = await readProcessStat(process.pid)
  assert.equal(stat?.pid, process.pid)
  assert.equal(stat?.exitStatus, null)
  assert.equal(await readProcessStat(2 ** 30), null)
})

test('exit descriptions name the code or the signal', () => {
  assert.equal(describeExit(3, null), 'exit code 3')
  assert.equal(describeExit(null, 'SIGTERM'), 'killed by signal SIGTERM')
  assert.equal(describeWaitStatus(3 << 8), 'exit code 3')
  assert.equal(describeWaitStatus(9), 'killed by signal SIGKILL')
})
