import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseChoice, parseInteger, parseKeyValue, parseZone, splitCommand } from './args.ts'
import { UsageError } from './errors.ts'

describe('splitCommand', () => {
  test('splits on any run of blanks', () => {
    assert.deepEqual(splitCommand('  node   server.mjs\t--port 8080 '), ['node', 'server.mjs', '--port', '8080'])
  })

  test('quotes group words and keep the other kind of quote', () => {
    assert.deepEqual(splitCommand(`node -e "console.log('hi there')" 'a "b"'`), [
      'node',
      '-e',
      "console.log('hi there')",
      'a "b"',
    ])
  })

  test('quoted and bare parts of one word join, and empty quotes make an empty word', () => {
    assert.deepEqual(splitCommand(`app --name="a b" '' x`), ['app', '--name=a b', '', 'x'])
  })

  test('an unterminated quote or an empty command is a usage error', () => {
    assert.throws(() => splitCommand(`node "server.mjs`), UsageError)
    assert.throws(() => splitCommand('   '), UsageError)
  })
})

describe('parseKeyValue', () => {
  test('splits at the first =, keeping empty values and later =', () => {
    assert.deepEqual(parseKeyValue('A=1'), ['A', '1'])
    assert.deepEqual(parseKeyValue('EMPTY='), ['EMPTY', ''])
    assert.deepEqual(parseKeyValue('URL=postgres://h/db?sslmode=require'), ['URL', 'postgres://h/db?sslmode=require'])
  })

  test('a missing key or = is a usage error', () => {
    assert.throws(() => parseKeyValue('=1'), UsageError)
    assert.throws(() => parseKeyValue('A'), UsageError)
  })
})

describe('parseZone', () => {
  test('reads zone=cidr', () => {
    assert.deepEqual(parseZone('zone-a=127.20.1.0/24'), { zoneId: 'zone-a', subnet: '127.20.1.0/24' })
  })

  test('rejects anything that is not zone=IPv4 CIDR', () => {
    for (const text of ['zone-a', '=127.0.0.0/8', 'zone-a=127.20.1.0', 'zone-a=fe80::/64']) {
      assert.throws(() => parseZone(text), UsageError, text)
    }
  })
})

describe('numbers and choices', () => {
  test('parseInteger takes whole numbers within bounds', () => {
    assert.equal(parseInteger('42', 'n'), 42)
    assert.equal(parseInteger('-3', 'n'), -3)
    assert.throws(() => parseInteger('1.5', 'n'), UsageError)
    assert.throws(() => parseInteger('abc', 'n'), UsageError)
    assert.throws(() => parseInteger('-1', 'n', { min: 0 }), /at least 0/)
  })

  test('parseChoice is exact', () => {
    assert.equal(parseChoice('b', ['a', 'b'], 'letter'), 'b')
    assert.throws(() => parseChoice('B', ['a', 'b'], 'letter'), /one of a, b/)
  })
})
