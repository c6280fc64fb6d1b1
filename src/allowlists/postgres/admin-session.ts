/**
 * A short connection to the database as its administrator, with every failure turned into an
 * AllowlistError: not reaching the server, or being refused at login, is Unreachable (retry may
 * help); the server refusing what Billow asks once connected (for example a role that is not a
 * superuser) is Misconfigured.
 */
import pg from 'pg'
import type { DatabaseEndpoint } from '../../core/database.ts'
import { AllowlistError } from '../../ports/database-allowlist.ts'

/** The maintenance database that every cluster has; Billow only reads settings there. */
const ADMIN_DATABASE = 'postgres'
/** How long connecting may take before the server counts as unreachable, in milliseconds. */
export const CONNECT_TIMEOUT_MS = 5_000
/** How long one statement may take, in milliseconds: every statement Billow sends is quick. */
const STATEMENT_TIMEOUT_MS = 10_000
/** How long Billow waits for a statement's answer, in milliseconds (a little over the above). */
const QUERY_TIMEOUT_MS = STATEMENT_TIMEOUT_MS + 2_000

export interface AdminSession {
  query<Row extends pg.QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<Row[]>
}

const describe = (database: DatabaseEndpoint): string => `${database.adminUser}@${database.host}:${database.port}`

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** SQLSTATE classes of a lost or refused connection: 08 connection, 28 login, 53 resources, 57 shutdown. */
const TRANSPORT_CLASSES: ReadonlySet<string> = new Set(['08', '28', '53', '57'])

/** True for a failure to reach or stay connected to the server (rather than a refused statement). */
function isTransportFailure(error: unknown): boolean {
  const code = (error as { code?: unknown }).code
  if (typeof code !== 'string') return true // pg's own errors: timeouts, "Connection terminated"
  if (/^E[A-Z]+$/.test(code)) return true // Node's: ECONNREFUSED, EHOSTUNREACH, ENOTFOUND, …
  return TRANSPORT_CLASSES.has(code.slice(0, 2))
}

function classify(database: DatabaseEndpoint, error: unknown, during: string): AllowlistError {
  if (error instanceof AllowlistError) return error
  const where = `${during} as ${describe(database)}`
  if (isTransportFailure(error))
    return new AllowlistError(`${where}: ${messageOf(error)}`, 'Unreachable', { cause: error })
  return new AllowlistError(
    `${where}: ${messageOf(error)} (the admin user must be a superuser to read the hba file and reload)`,
    'Misconfigured',
    { cause: error },
  )
}

async function connect(database: DatabaseEndpoint): Promise<pg.Client> {
  const client = new pg.Client({
    host: database.host,
    port: database.port,
    user: database.adminUser,
    password: database.adminPassword,
    database: ADMIN_DATABASE,
    application_name: 'billow-allowlist',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
  })
  // A connection lost between statements is emitted as an event; the next statement rejects
  // with it and reports it, so the event needs a listener only to not crash the process.
  client.on('error', () => {})
  try {
    await client.connect()
  } catch (error) {
    throw new AllowlistError(`cannot connect as ${describe(database)}: ${messageOf(error)}`, 'Unreachable', {
      cause: error,
    })
  }
  return client
}

/** Runs `work` on a fresh admin connection and always closes it. */
export async function withAdminSession<T>(
  database: DatabaseEndpoint,
  work: (session: AdminSession) => Promise<T>,
): Promise<T> {
  const client = await connect(database)
  const session: AdminSession = {
    query: async <Row extends pg.QueryResultRow>(sql: string, params: readonly unknown[] = []) => {
      try {
        return (await client.query<Row>(sql, [...params])).rows
      } catch (error) {
        throw classify(database, error, 'a statement failed')
      }
    },
  }
  try {
    return await work(session)
  } finally {
    // The outcome is decided by now; a failure to say goodbye to the server changes nothing.
    await client.end().catch(() => undefined)
  }
}
