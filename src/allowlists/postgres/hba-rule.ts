/**
 * One line of the managed block: `host <database> <user> <address>/<32|128> <method>`, letting
 * one address connect as one role. Billow writes these lines and reads back only these lines, so
 * the grammar here is the small subset of pg_hba.conf's that Billow itself produces.
 */
import { isIPv4, isIPv6 } from 'node:net'
import { AllowlistError } from '../../ports/database-allowlist.ts'

/** The password methods Billow writes, matching the server's password_encryption. */
export type HbaMethod = 'scram-sha-256' | 'md5'

export interface ManagedRule {
  /** The database name, or 'all' (pg_hba.conf's keyword) for any database. */
  readonly database: string
  readonly user: string
  /** An IPv4 or IPv6 address; the rule covers that one address (/32 or /128). */
  readonly address: string
  readonly method: HbaMethod
}

/** Words pg_hba.conf reads as keywords when bare; a name spelled like one is written quoted. */
const HBA_KEYWORDS: ReadonlySet<string> = new Set(['all', 'sameuser', 'samerole', 'samegroup', 'replication'])
/** Names written bare: plain lowercase identifiers, as PostgreSQL folds unquoted ones. */
const BARE_NAME = /^[a-z_][a-z0-9_$]*$/
/** pg_hba.conf has no escape for a double quote inside a quoted name, nor for line breaks. */
const UNWRITABLE_NAME = /["\p{Cc}]/u

/** The method for the server's password_encryption setting (scram-sha-256 unless it says md5). */
export const methodFor = (passwordEncryption: string): HbaMethod =>
  passwordEncryption.trim().toLowerCase() === 'md5' ? 'md5' : 'scram-sha-256'

/** Throws Misconfigured for a database or role name that pg_hba.conf cannot hold. */
export function checkWritableName(name: string, what: 'database' | 'user'): void {
  if (name.length === 0 || UNWRITABLE_NAME.test(name))
    throw new AllowlistError(
      `the client ${what} name ${JSON.stringify(name)} cannot be written to pg_hba.conf (empty, a double quote or a control character)`,
      'Misconfigured',
    )
}

function formatName(name: string, keywordAllowed: boolean): string {
  if (keywordAllowed && name === 'all') return 'all'
  return BARE_NAME.test(name) && !HBA_KEYWORDS.has(name) ? name : `"${name}"`
}

const prefixBitsOf = (address: string): 32 | 128 => (isIPv4(address) ? 32 : 128)

export function formatRule(rule: ManagedRule): string {
  const database = formatName(rule.database, true)
  const user = formatName(rule.user, false)
  return `host ${database} ${user} ${rule.address}/${prefixBitsOf(rule.address)} ${rule.method}`
}

/** A token of a rule line: its text without quotes, and whether it was quoted. */
interface Token {
  readonly text: string
  readonly quoted: boolean
}

/** One token: leading spaces, then a quoted name or a bare word, ending at a space or the end. */
const TOKEN = /\s*(?:"([^"]*)"|([^\s"]+))(?=\s|$)/y

function tokenize(line: string): Token[] | undefined {
  const text = line.trimEnd()
  const tokens: Token[] = []
  TOKEN.lastIndex = 0
  while (TOKEN.lastIndex < text.length) {
    const match = TOKEN.exec(text)
    if (match === null) return undefined
    tokens.push(match[1] !== undefined ? { text: match[1], quoted: true } : { text: match[2] ?? '', quoted: false })
  }
  return tokens
}

function parseName(token: Token, keywordAllowed: boolean): string | undefined {
  if (token.quoted) return token.text.length > 0 ? token.text : undefined
  if (keywordAllowed && token.text === 'all') return 'all'
  return BARE_NAME.test(token.text) && !HBA_KEYWORDS.has(token.text) ? token.text : undefined
}

function parseAddress(text: string): string | undefined {
  const slash = text.indexOf('/')
  const address = text.slice(0, slash)
  const bits = text.slice(slash + 1)
  if (slash < 0 || !(isIPv4(address) || isIPv6(address))) return undefined
  return bits === String(prefixBitsOf(address)) ? address : undefined
}

/** The rule a line holds, or undefined when the line is not one Billow writes. */
export function parseRule(line: string): ManagedRule | undefined {
  const tokens = tokenize(line)
  if (tokens?.length !== 5) return undefined
  const [type, databaseToken, userToken, addressToken, methodToken] = tokens as [Token, Token, Token, Token, Token]
  if (type.quoted || type.text !== 'host' || addressToken.quoted || methodToken.quoted) return undefined
  const database = parseName(databaseToken, true)
  const user = parseName(userToken, false)
  const address = parseAddress(addressToken.text)
  const method = methodToken.text
  if (database === undefined || user === undefined || address === undefined) return undefined
  if (method !== 'scram-sha-256' && method !== 'md5') return undefined
  return { database, user, address, method }
}
