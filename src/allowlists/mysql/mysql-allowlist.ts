/**
 * The MySQL / MariaDB allowlist: one account per allowed address, `'<clientUser>'@'<address>'`,
 * a copy of the template account `'<clientUser>'@'localhost'` that the database's administrator
 * creates — the same authentication (password hash and plugin), options and grants. Everything
 * goes through SQL as the admin user, so the database may run anywhere Billow can reach. Which
 * accounts are Billow's is decided by their host (a literal IPv4 address; see account.ts).
 *
 * The account of one address:
 *
 *            allow                        allow again (template changed)
 *   absent ────────► copy of the template ─────────────────────────────► copy of the new template
 *     ▲                  │                   (ALTER USER, missing grants)
 *     └───── revoke ─────┘ (DROP USER; revoking an absent account resolves)
 *
 * A change, serialized per server in this process and by GET_LOCK on the server:
 *
 *   check names ─► connect as admin ─► GET_LOCK ─┬► allow: read the template (missing →
 *                                                 │  Misconfigured) and the address's account,
 *                                                 │  plan the statements, run them
 *                                                 └► revoke: DROP USER IF EXISTS
 *
 * CREATE USER, ALTER USER, GRANT and DROP USER change the server's in-memory privileges at once
 * (no FLUSH PRIVILEGES): when the statement returns, new connections are checked against it. A
 * crash between CREATE USER and the last GRANT leaves a copy with fewer grants than the template;
 * the retry's plan adds the rest. Sessions already open when an account is dropped stay open.
 */
import { isIP } from 'node:net'
import type { DatabaseEndpoint } from '../../core/database.ts'
import { assert } from '../../core/errors.ts'
import { AllowlistError, type DatabaseAllowlist } from '../../ports/database-allowlist.ts'
import { createKeyedQueue } from '../keyed-queue.ts'
import {
  type Account,
  checkAllowlistAddress,
  checkClientUser,
  describeAccount,
  isAllowlistHost,
  quoteAccount,
  TEMPLATE_HOST,
} from './account.ts'
import {
  type AccountDefinition,
  checkCopyableTemplate,
  parseAccountDefinition,
  planCopy,
} from './account-definition.ts'
import { type AdminSession, withAdminSession, withChangeLock } from './admin-session.ts'

/** One change at a time per server, so that a burst of launches holds one admin connection, not many. */
const serverQueue = createKeyedQueue('the database server')

const serverKey = (database: DatabaseEndpoint): string => `${database.host}:${database.port}`

/** Checks what every method relies on, before any connection. */
function checkEndpoint(database: DatabaseEndpoint): void {
  assert(database.engine === 'mysql', `the mysql allowlist got a ${database.engine} database`)
  checkClientUser(database.clientUser)
  // Revoking 127.0.0.1 would otherwise drop the very account Billow administers the server with.
  if (database.clientUser === database.adminUser)
    throw new AllowlistError(
      `the client user ${JSON.stringify(database.clientUser)} is also the admin user; Billow manages the client user's accounts and must not touch its own`,
      'Misconfigured',
    )
}

/** The template and the address's account, after checking both can be managed. */
function accountsOf(database: DatabaseEndpoint, address: string): { template: Account; target: Account } {
  checkEndpoint(database)
  assert(isIP(address) !== 0, `allowlist address ${JSON.stringify(address)} is not an IP address`)
  checkAllowlistAddress(address)
  return {
    template: { user: database.clientUser, host: TEMPLATE_HOST },
    target: { user: database.clientUser, host: address },
  }
}

/** The first column of a row as text (SHOW statements answer with one column). */
function textOf(row: readonly unknown[]): string {
  const [value] = row
  if (Buffer.isBuffer(value)) return value.toString('utf8')
  assert(typeof value === 'string', `expected a text column, got ${typeof value}`)
  return value
}

/** The account as the server holds it now, or undefined when there is none. */
async function readAccount(session: AdminSession, account: Account): Promise<AccountDefinition | undefined> {
  const found = await session.rows('SELECT 1 FROM mysql.user WHERE User = ? AND Host = ?', [account.user, account.host])
  if (found.length === 0) return undefined
  const [createUser] = await session.rows(`SHOW CREATE USER ${quoteAccount(account)}`)
  assert(createUser !== undefined, `SHOW CREATE USER ${describeAccount(account)} returned no row`)
  const grants = await session.rows(`SHOW GRANTS FOR ${quoteAccount(account)}`)
  return parseAccountDefinition(account, textOf(createUser), grants.map(textOf))
}

async function change(database: DatabaseEndpoint, work: (session: AdminSession) => Promise<void>): Promise<void> {
  await serverQueue.run(serverKey(database), () =>
    withAdminSession(database, (session) => withChangeLock(database, session, () => work(session))),
  )
}

async function allow(database: DatabaseEndpoint, address: string): Promise<void> {
  const { template, target } = accountsOf(database, address)
  await change(database, async (session) => {
    const wanted = await readAccount(session, template)
    if (wanted === undefined)
      throw new AllowlistError(
        `the template account ${describeAccount(template)} does not exist; create it with the client user's password and grants, and Billow copies it for each allowed address`,
        'Misconfigured',
      )
    checkCopyableTemplate(wanted, template)
    const current = await readAccount(session, target)
    for (const statement of planCopy(wanted, current, target)) await session.run(statement)
  })
}

async function revoke(database: DatabaseEndpoint, address: string): Promise<void> {
  const { target } = accountsOf(database, address)
  await change(database, (session) => session.run(`DROP USER IF EXISTS ${quoteAccount(target)}`))
}

async function list(database: DatabaseEndpoint): Promise<readonly string[]> {
  checkEndpoint(database)
  return withAdminSession(database, async (session) => {
    const hosts = await session.rows('SELECT Host FROM mysql.user WHERE User = ?', [database.clientUser])
    return hosts.map(textOf).filter(isAllowlistHost).sort()
  })
}

export function createMysqlAllowlist(): DatabaseAllowlist {
  return { engine: 'mysql', allow, revoke, list }
}
