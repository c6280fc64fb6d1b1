/**
 * The managed block of a pg_hba.conf: the only bytes Billow writes. The file is handled as bytes,
 * never decoded and re-encoded, so that everything outside the block stays byte for byte (a
 * comment in Latin-1 or a CRLF line survives). Only the block's own lines are decoded, as UTF-8.
 *
 *   # BEGIN billow managed block (do not edit)
 *   host all app 127.70.1.5/32 scram-sha-256
 *   # END billow managed block
 *
 * A file has no block (Billow puts a new one at the very top) or exactly one well-formed block
 * (Billow rewrites it in place, wherever an administrator moved it). Anything else — two BEGIN
 * markers, a BEGIN without an END, an edited marker, a line inside the block that Billow did not
 * write — is refused as Misconfigured before anything is written.
 */
import { AllowlistError } from '../../ports/database-allowlist.ts'
import { formatRule, type ManagedRule, parseRule } from './hba-rule.ts'

export const BLOCK_BEGIN = '# BEGIN billow managed block (do not edit)'
export const BLOCK_END = '# END billow managed block'
/** Rules one block may hold: pg_hba.conf is matched line by line on every connection. */
export const BLOCK_RULES_MAX = 10_000
/** A line that looks meant as a marker; if it is not exactly one, someone edited it. */
const MARKER_LIKE = /^\s*#\s*(begin|end)\s+billow\b/i

export interface HbaBlock {
  /** Byte offset of the BEGIN line's first byte. */
  readonly start: number
  /** Byte offset just past the END line's line break (or the end of the file). */
  readonly end: number
  readonly rules: readonly ManagedRule[]
}

export interface HbaFile {
  readonly bytes: Buffer
  /** Undefined when the file has no managed block yet. */
  readonly block: HbaBlock | undefined
}

interface Line {
  /** 1-based, for messages. */
  readonly number: number
  readonly start: number
  /** Just past the line break, or the end of the file. */
  readonly end: number
  /** The line's text without its line break and trailing blanks; Latin-1, so one char per byte. */
  readonly text: string
}

function* linesOf(bytes: Buffer): Generator<Line> {
  const text = bytes.toString('latin1')
  let start = 0
  let number = 1
  while (start < text.length) {
    const newline = text.indexOf('\n', start)
    const end = newline < 0 ? text.length : newline + 1
    yield { number, start, end, text: text.slice(start, end).replace(/[ \t\r\n]+$/, '') }
    start = end
    number += 1
  }
}

const refuse = (path: string, problem: string): AllowlistError =>
  new AllowlistError(`${path}: ${problem}; Billow leaves the file untouched until it is fixed`, 'Misconfigured')

/** Finds the managed block; throws Misconfigured, naming the line, for anything but none or one. */
export function parseHbaFile(bytes: Buffer, path: string): HbaFile {
  let begin: Line | undefined
  let end: Line | undefined
  const inside: Line[] = []
  for (const line of linesOf(bytes)) {
    if (line.text === BLOCK_BEGIN) {
      if (begin !== undefined) throw refuse(path, `a second BEGIN marker on line ${line.number}`)
      begin = line
    } else if (line.text === BLOCK_END) {
      if (begin === undefined) throw refuse(path, `an END marker without a BEGIN before it on line ${line.number}`)
      if (end !== undefined) throw refuse(path, `a second END marker on line ${line.number}`)
      end = line
    } else if (MARKER_LIKE.test(line.text)) {
      throw refuse(path, `line ${line.number} looks like an edited managed-block marker`)
    } else if (begin !== undefined && end === undefined) {
      inside.push(line)
    }
  }
  if (begin === undefined) return { bytes, block: undefined }
  if (end === undefined) throw refuse(path, `the BEGIN marker on line ${begin.number} has no END marker`)
  const rules = inside.map((line) => {
    const rule = parseRule(bytes.subarray(line.start, line.end).toString('utf8'))
    if (rule === undefined) throw refuse(path, `line ${line.number} inside the managed block was not written by Billow`)
    return rule
  })
  return { bytes, block: { start: begin.start, end: end.end, rules } }
}

/** The file with its block holding exactly `rules`; the bytes outside the block are unchanged. */
export function renderHbaFile(file: HbaFile, rules: readonly ManagedRule[]): Buffer {
  const lines = [BLOCK_BEGIN, ...rules.map(formatRule), BLOCK_END]
  const block = Buffer.from(`${lines.join('\n')}\n`, 'utf8')
  if (file.block === undefined) return Buffer.concat([block, file.bytes])
  return Buffer.concat([file.bytes.subarray(0, file.block.start), block, file.bytes.subarray(file.block.end)])
}

/** The file's bytes with the block cut out: what must never change. */
export function outsideBlock(file: HbaFile): Buffer {
  if (file.block === undefined) return file.bytes
  return Buffer.concat([file.bytes.subarray(0, file.block.start), file.bytes.subarray(file.block.end)])
}
