import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { formatBytes, formatPairs, renderFields, renderTable, truncate } from './table.ts'

describe('renderTable', () => {
  test('aligns columns under an upper-case header, two spaces apart, without borders or trailing blanks', () => {
    const text = renderTable(
      ['id', 'name', 'desired'],
      [
        ['asg-1', 'web', 2],
        ['asg-22', 'batch-workers', null],
      ],
    )
    assert.equal(
      text,
      ['ID      NAME           DESIRED', 'asg-1   web            2', 'asg-22  batch-workers  -'].join('\n'),
    )
  })

  test('shows booleans as yes/no and empty cells as -', () => {
    assert.equal(renderTable(['a', 'b', 'c'], [[true, false, '']]), ['A    B   C', 'yes  no  -'].join('\n'))
  })
})

describe('renderFields', () => {
  test('aligns labels', () => {
    assert.equal(
      renderFields([
        ['id', 'asg-1'],
        ['min size', 0],
        ['desired capacity', undefined],
      ]),
      ['id                asg-1', 'min size          0', 'desired capacity  -'].join('\n'),
    )
  })
})

describe('cell helpers', () => {
  test('truncate keeps short text, folds blanks, and marks a cut', () => {
    assert.equal(truncate('short', 10), 'short')
    assert.equal(truncate('a  b\nc', 10), 'a b c')
    assert.equal(truncate('abcdefghijkl', 5), 'abcd…')
    assert.equal(truncate(null, 5), '')
  })

  test('formatPairs and formatBytes', () => {
    assert.equal(formatPairs({ A: '1', B: '' }), 'A=1, B=')
    assert.equal(formatPairs({}), '-')
    assert.equal(formatBytes(256 * 1024 * 1024), '256 MiB')
    assert.equal(formatBytes(2 * 1024 * 1024 * 1024), '2 GiB')
    assert.equal(formatBytes(512), '512 B')
  })
})
