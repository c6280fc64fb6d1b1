/**
 * Parsing of the CLI's own argument syntaxes: a command line for an image, K=V pairs, zone=cidr
 * pairs, and numbers. Pure functions that throw UsageError; `option-parsers.ts` adapts them to
 * commander.
 */
import type { Zone } from '../core/types.ts'
import { UsageError } from './errors.ts'

/**
 * Splits a command string into argv the way a shell would for the simple cases: whitespace
 * separates words; single or double quotes group (no escapes inside them); adjacent quoted and
 * bare parts join (`--name="a b"` → `--name=a b`). Images run without a shell, so anything more
 * (variables, globs, pipes) would be a promise Billow could not keep.
 */
export function splitCommand(command: string): string[] {
  const words: string[] = []
  let current = ''
  let inWord = false
  let quote: '"' | "'" | null = null
  for (const char of command) {
    if (quote) {
      if (char === quote) quote = null
      else current += char
    } else if (char === '"' || char === "'") {
      quote = char
      inWord = true
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current)
      current = ''
      inWord = false
    } else {
      current += char
      inWord = true
    }
  }
  if (quote) throw new UsageError(`unterminated ${quote} quote in command: ${command}`)
  if (inWord) words.push(current)
  if (words.length === 0) throw new UsageError('the command is empty')
  return words
}

/** `KEY=VALUE`, split at the first `=`; the value may be empty or hold more `=`. */
export function parseKeyValue(text: string): readonly [string, string] {
  const at = text.indexOf('=')
  if (at <= 0) throw new UsageError(`expected KEY=VALUE, got '${text}'`)
  return [text.slice(0, at), text.slice(at + 1)]
}

const CIDR_SHAPE = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/

/** `zone-a=127.20.1.0/24`. Only the shape is checked here; the server owns subnet rules. */
export function parseZone(text: string): Zone {
  const at = text.indexOf('=')
  if (at <= 0) throw new UsageError(`expected ZONE=CIDR (e.g. zone-a=127.20.1.0/24), got '${text}'`)
  const zoneId = text.slice(0, at)
  const subnet = text.slice(at + 1)
  if (!CIDR_SHAPE.test(subnet)) {
    throw new UsageError(`zone ${zoneId}: '${subnet}' is not an IPv4 CIDR like 127.20.1.0/24`)
  }
  return { zoneId, subnet }
}

/** A whole number, optionally bounded below; `what` names it in the message. */
export function parseInteger(text: string, what: string, options: { min?: number } = {}): number {
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`${what} must be a whole number, got '${text}'`)
  const value = Number(text)
  if (!Number.isSafeInteger(value)) throw new UsageError(`${what} is too large: ${text}`)
  if (options.min !== undefined && value < options.min) {
    throw new UsageError(`${what} must be at least ${options.min}, got ${value}`)
  }
  return value
}

/** One of a fixed set of words, case as given in the set. */
export function parseChoice<T extends string>(text: string, choices: readonly T[], what: string): T {
  const found = choices.find((choice) => choice === text)
  if (!found) throw new UsageError(`${what} must be one of ${choices.join(', ')}; got '${text}'`)
  return found
}
