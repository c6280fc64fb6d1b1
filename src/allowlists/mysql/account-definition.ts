/**
 * An account's definition as the server prints it — SHOW CREATE USER and SHOW GRANTS — with the
 * account itself cut out, so that the template's definition can be compared with a copy's and
 * restated for another host. Copying what the server prints (rather than rebuilding it from
 * the grant tables) carries every kind of authentication (`IDENTIFIED VIA a OR b`), TLS
 * requirement, resource limit, expiry, lock, role and column grant, in the server's own words.
 *
 * Pure: statements are planned here and run by mysql-allowlist.ts.
 */
import { AllowlistError } from '../../ports/database-allowlist.ts'
import { type Account, describeAccount, quoteAccount } from './account.ts'

/** A statement from SHOW GRANTS with its grantee cut out: `${head}<account>${tail}`. */
export interface GrantStatement {
  readonly head: string
  readonly tail: string
}

export interface AccountDefinition {
  /** What SHOW CREATE USER prints after the account (authentication, REQUIRE, WITH, …), with its leading space. */
  readonly options: string
  /** SHOW GRANTS, in the server's order (role grants first, SET DEFAULT ROLE last). */
  readonly grants: readonly GrantStatement[]
}

const cannotCopy = (what: string, account: Account, line: string): AllowlistError =>
  new AllowlistError(
    `${what} for ${describeAccount(account)} printed a statement Billow cannot copy: ${line}`,
    'Misconfigured',
  )

function parseGrant(account: Account, line: string): GrantStatement {
  const spelled = quoteAccount(account)
  const grantParts = line.split(` TO ${spelled}`)
  const [head, tail] = grantParts
  if (
    line.startsWith('GRANT ') &&
    grantParts.length === 2 &&
    head !== undefined &&
    tail !== undefined &&
    (tail === '' || tail.startsWith(' '))
  )
    return { head: `${head} TO `, tail }
  if (line.startsWith('SET DEFAULT ROLE ') && line.endsWith(` FOR ${spelled}`))
    return { head: line.slice(0, line.length - spelled.length), tail: '' }
  throw cannotCopy('SHOW GRANTS', account, line)
}

/** Reads what the server printed for `account`. Throws Misconfigured for output of a shape Billow does not know. */
export function parseAccountDefinition(
  account: Account,
  createUser: string,
  grants: readonly string[],
): AccountDefinition {
  const prefix = `CREATE USER ${quoteAccount(account)}`
  const options = createUser.slice(prefix.length)
  if (!createUser.startsWith(prefix) || !(options === '' || options.startsWith(' ')))
    throw cannotCopy('SHOW CREATE USER', account, createUser)
  return { options, grants: grants.map((line) => parseGrant(account, line)) }
}

/** Authentication that works only for a client on the server's own machine, never over TCP. */
const LOCAL_ONLY_AUTHENTICATION = /^ IDENTIFIED VIA (?:unix_socket|named_pipe)(?: (?!OR )|$)/

/**
 * Throws Misconfigured for a template whose copies would be wrong to open to the network (no
 * password at all) or could never log in over TCP (socket authentication only).
 */
export function checkCopyableTemplate(template: AccountDefinition, account: Account): void {
  if (!template.options.startsWith(' IDENTIFIED '))
    throw new AllowlistError(
      `the template account ${describeAccount(account)} has no password; Billow does not open a password-less account to the network`,
      'Misconfigured',
    )
  if (LOCAL_ONLY_AUTHENTICATION.test(template.options))
    throw new AllowlistError(
      `the template account ${describeAccount(account)} authenticates only over the local socket, so its copies could never log in over TCP; give it a password`,
      'Misconfigured',
    )
}

/** The grant every account holds; CREATE USER or ALTER USER already says all that it says. */
const isUsageOnly = (grant: GrantStatement): boolean => grant.head === 'GRANT USAGE ON *.* TO '

const keyOf = (grant: GrantStatement): string => `${grant.head}\u0000${grant.tail}`

/**
 * The statements that make `target` a copy of the template: CREATE USER and every grant for a
 * new account; for an existing one, ALTER USER when its authentication or options differ and
 * the grants it lacks. Grants the account holds beyond the template's are left alone (taking
 * them away from a live account would fail its sessions' statements); [] when it is a copy.
 */
export function planCopy(
  template: AccountDefinition,
  current: AccountDefinition | undefined,
  target: Account,
): string[] {
  const account = quoteAccount(target)
  const statements: string[] = []
  if (current === undefined) statements.push(`CREATE USER ${account}${template.options}`)
  else if (current.options !== template.options) statements.push(`ALTER USER ${account}${template.options}`)
  const held = new Set((current?.grants ?? []).map(keyOf))
  for (const grant of template.grants) {
    if (isUsageOnly(grant) || held.has(keyOf(grant))) continue
    statements.push(`${grant.head}${account}${grant.tail}`)
  }
  return statements
}
