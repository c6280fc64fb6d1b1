import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type ResponseHead, ResponseParseError, ResponseParser } from './http-response-parser.ts'

interface Parsed {
  heads: ResponseHead[]
  body: string
  completions: boolean[]
}

/** Feeds `text` in pieces cut at `cuts`, as a socket might deliver it. */
function parse(
  text: string,
  cuts: readonly number[] = [],
  expectBody = true,
): { parser: ResponseParser; parsed: Parsed } {
  const parsed: Parsed = { heads: [], body: '', completions: [] }
  const parser = new ResponseParser(
    {
      onHead: (head) => parsed.heads.push(head),
      onBody: (chunk) => {
        parsed.body += chunk.toString('latin1')
      },
      onComplete: (reusable) => parsed.completions.push(reusable),
    },
    expectBody,
  )
  const bytes = Buffer.from(text, 'latin1')
  let start = 0
  for (const cut of [...cuts, bytes.length]) {
    if (cut > start) parser.execute(bytes.subarray(start, cut))
    start = Math.max(start, cut)
  }
  return { parser, parsed }
}

const everySplit = (text: string, check: (parsed: Parsed) => void): void => {
  for (let cut = 0; cut <= text.length; cut++) {
    for (const second of [cut, Math.min(text.length, cut + 3)]) check(parse(text, [cut, second]).parsed)
  }
}

test('a Content-Length response, split anywhere', () => {
  const text = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello'
  everySplit(text, (parsed) => {
    assert.equal(parsed.heads.length, 1)
    assert.equal(parsed.heads[0]?.statusCode, 200)
    assert.equal(parsed.heads[0]?.statusMessage, 'OK')
    assert.deepEqual(parsed.heads[0]?.rawHeaders, ['Content-Type', 'text/plain', 'Content-Length', '5'])
    assert.equal(parsed.body, 'hello')
    assert.deepEqual(parsed.completions, [true])
  })
})

test('a chunked response with extensions and trailers, split anywhere', () => {
  const text =
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n'
  everySplit(text, (parsed) => {
    assert.equal(parsed.body, 'hello 0123456789')
    assert.deepEqual(parsed.completions, [true])
  })
})

test('informational heads are skipped; HEAD, 204 and 304 have no body', () => {
  const { parsed } = parse('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok')
  assert.deepEqual(
    parsed.heads.map((head) => head.statusCode),
    [201],
  )
  assert.equal(parsed.body, 'ok')
  assert.deepEqual(parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n', [], false).parsed.completions, [true])
  assert.deepEqual(parse('HTTP/1.1 204 No Content\r\n\r\n').parsed.completions, [true])
  assert.deepEqual(parse('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n').parsed.completions, [true])
})

test('connections that cannot carry another request are said so', () => {
  assert.deepEqual(parse('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').parsed.completions, [
    false,
  ])
  assert.deepEqual(parse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').parsed.completions, [false])
  const extra = parse('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab')
  assert.deepEqual(extra.parsed.completions, [false], 'bytes beyond the response')
  const untilClose = parse('HTTP/1.1 200 OK\r\n\r\nstream of bytes')
  assert.deepEqual(untilClose.parsed.completions, [])
  assert.equal(untilClose.parser.finish(), true)
  assert.equal(untilClose.parsed.body, 'stream of bytes')
  assert.deepEqual(untilClose.parsed.completions, [false])
})

test('a response cut short is not complete', () => {
  const { parser, parsed } = parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf')
  assert.equal(parser.finish(), false)
  assert.deepEqual(parsed.completions, [])
  assert.equal(parse('HTTP/1.1 200 OK\r\nContent-').parser.started, true)
})

test('malformed responses are refused', () => {
  for (const text of [
    'HTTP/2 200 OK\r\n\r\n',
    'HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n',
    'HTTP/1.1 200 OK\r\n folded\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc',
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n',
  ]) {
    assert.throws(() => parse(text), ResponseParseError, JSON.stringify(text))
  }
  assert.throws(() => parse(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70 * 1024)}`), ResponseParseError, 'an endless head')
})
