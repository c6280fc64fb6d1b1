import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sparkline } from './sparkline.ts'

test('a sparkline scales between the extremes and leaves gaps for no data', () => {
  assert.equal(sparkline([0, 50, 100, null, 100]), '▁▅█ █')
  assert.equal(sparkline([7, 7]), '▁▁')
  assert.equal(sparkline([null, null]), '  ')
})
