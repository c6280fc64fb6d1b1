import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AllowlistError } from '../../ports/database-allowlist.ts'
import { BLOCK_BEGIN, BLOCK_END, outsideBlock, parseHbaFile, renderHbaFile } from './hba-block.ts'
import type { ManagedRule } from './hba-rule.ts'

const PATH = '/data/pg_hba.conf'
const ORIGINAL = Buffer.from('# header\nlocal all all trust\r\nhost all all 127.0.0.1/32 scram-sha-256', 'utf8')
const RULE: ManagedRule = { database: 'all', user: 'app', address: '127.70.1.5', method: 'scram-sha-256' }
const RULE_LINE = 'host all app 127.70.1.5/32 scram-sha-256'

const isMisconfigured = (error: unknown): boolean => error instanceof AllowlistError && error.kind === 'Misconfigured'

test('a file without a block gets one at the very top; the original bytes follow unchanged', () => {
  const file = parseHbaFile(ORIGINAL, PATH)
  assert.equal(file.block, undefined)
  const rendered = renderHbaFile(file, [RULE])
  assert.equal(rendered.toString('utf8'), `${BLOCK_BEGIN}\n${RULE_LINE}\n${BLOCK_END}\n${ORIGINAL.toString('utf8')}`)
  const reparsed = parseHbaFile(rendered, PATH)
  assert.deepEqual(reparsed.block?.rules, [RULE])
  assert.ok(outsideBlock(reparsed).equals(ORIGINAL))
})

test('an existing block is rewritten in place, wherever it is, bytes outside it untouched', () => {
  const head = Buffer.from('# caf\xe9\r\n', 'latin1')
  const tail = Buffer.from('host all all ::1/128 md5', 'utf8')
  const bytes = Buffer.concat([head, Buffer.from(`${BLOCK_BEGIN}\r\n${RULE_LINE}\r\n${BLOCK_END}\r\n`), tail])
  const file = parseHbaFile(bytes, PATH)
  assert.deepEqual(file.block?.rules, [RULE])
  const emptied = renderHbaFile(file, [])
  assert.ok(emptied.equals(Buffer.concat([head, Buffer.from(`${BLOCK_BEGIN}\n${BLOCK_END}\n`), tail])))
  assert.ok(outsideBlock(parseHbaFile(emptied, PATH)).equals(Buffer.concat([head, tail])))
})

test('a block at the end of a file without a final line break is found', () => {
  const bytes = Buffer.from(`local all all trust\n${BLOCK_BEGIN}\n${RULE_LINE}\n${BLOCK_END}`)
  assert.deepEqual(parseHbaFile(bytes, PATH).block?.rules, [RULE])
})

test('malformed blocks are refused, naming the line', () => {
  const cases: ReadonlyArray<readonly [string, RegExp]> = [
    [`${BLOCK_BEGIN}\n${BLOCK_BEGIN}\n${BLOCK_END}\n`, /second BEGIN marker on line 2/],
    [`${BLOCK_BEGIN}\n${RULE_LINE}\n`, /BEGIN marker on line 1 has no END/],
    [`x\n${BLOCK_END}\n`, /END marker without a BEGIN before it on line 2/],
    [`${BLOCK_BEGIN}\n${BLOCK_END}\n${BLOCK_END}\n`, /second END marker on line 3/],
    [`${BLOCK_BEGIN}\n${BLOCK_END}\n${BLOCK_BEGIN}\n${BLOCK_END}\n`, /second BEGIN marker on line 3/],
    ['#BEGIN billow block\n', /line 1 looks like an edited managed-block marker/],
    [`${BLOCK_BEGIN}\n\n${BLOCK_END}\n`, /line 2 inside the managed block was not written by Billow/],
    [`${BLOCK_BEGIN}\n# mine\n${BLOCK_END}\n`, /line 2 inside the managed block/],
  ]
  for (const [text, message] of cases) {
    assert.throws(
      () => parseHbaFile(Buffer.from(text), PATH),
      (error: unknown) => {
        assert.ok(isMisconfigured(error))
        assert.match((error as Error).message, message)
        return true
      },
    )
  }
})

test('a comment that merely mentions Billow is not a marker', () => {
  const bytes = Buffer.from("# rules above the billow managed block are the DBA's\nlocal all all trust\n")
  assert.equal(parseHbaFile(bytes, PATH).block, undefined)
})
