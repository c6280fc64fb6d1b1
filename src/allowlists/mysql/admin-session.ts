/**
 * A short connection to the database as its administrator, with every failure turned into an
 * AllowlistError: not reaching the server, being refused at login, or losing the connection is
 * Unreachable (retry may help); the server refusing a statement once connected (for example an
 * admin user without the CREATE USER privilege) is Misconfigured.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import mysql from 'mysql2/promise'
import type { DatabaseEndpoint } from '../../core/database.ts'
import { AllowlistError } from '../../ports/database-allowlist.ts'

/** How long connecting may take before the server counts as unreachable, in milliseconds. */
export const CONNECT_TIMEOUT_MS = 5_000
/** How long Billow waits for one statement's answer, in milliseconds: every statement it sends is quick. */
const QUERY_TIMEOUT_MS = 10_000
/** How long a polite goodbye may take before the connection is dropped, in milliseconds. */
const CLOSE_TIMEOUT_MS = 2_000
/**
 * The server-wide named lock that serializes changes across Billow processes and across the
 * names one server is reached by (GET_LOCK; released when the session ends, even by a crash).
 */
const CHANGE_LOCK_NAME = 'billow.allowlist'
/** How long a change waits for another session's change to finish, in seconds. */
const CHANGE_LOCK_WAIT_SECONDS = 10

export interface AdminSession {
  /** Runs one statement (values fill `?` placeholders) and returns its rows, each as an array of columns. */
  rows(sql: string, values?: readonly unknown[]): Promise<unknown[][]>
  /** Runs one statement for its effect. */
  run(sql: string, values?: readonly unknown[]): Promise<void>
}

const describe = (database: DatabaseEndpoint): string => `${database.adminUser}@${database.host}:${database.port}`

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Server errors that mean the session is gone or the server is going away, rather than a refused statement. */
const TRANSPORT_ERRORS: ReadonlySet<string> = new Set([
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_CON_COUNT_ERROR',
  'ER_QUERY_INTERRUPTED',
])

/** True for a failure to reach or stay connected to the server (rather than a refused statement). */
function isTransportFailure(error: unknown): boolean {
  const { code, fatal, sqlState } = error as { code?: unknown; fatal?: unknown; sqlState?: unknown }
  if (fatal === true) return true // mysql2 closed the connection: lost, timed out, protocol error
  if (typeof code !== 'string') return true
  if (/^E[A-Z]+$/.test(code) || code.startsWith('PROTOCOL_')) return true // Node's ECONNRESET, mysql2's own
  if (typeof sqlState === 'string' && sqlState.startsWith('08')) return true // SQLSTATE class 08: connection
  return TRANSPORT_ERRORS.has(code)
}

function classify(database: DatabaseEndpoint, error: unknown, sql: string): AllowlistError {
  if (error instanceof AllowlistError) return error
  const statement = sql.split(' ', 3).join(' ')
  const where = `${statement}… as ${describe(database)}`
  if (isTransportFailure(error))
    return new AllowlistError(`${where}: ${messageOf(error)}`, 'Unreachable', { cause: error })
  return new AllowlistError(
    `${where}: ${messageOf(error)} (the admin user needs CREATE USER, SELECT on mysql.*, and every privilege and role of the template account WITH GRANT OPTION / WITH ADMIN OPTION)`,
    'Misconfigured',
    { cause: error },
  )
}

async function connect(database: DatabaseEndpoint): Promise<mysql.Connection> {
  let connection: mysql.Connection
  try {
    connection = await mysql.createConnection({
      host: database.host,
      port: database.port,
      user: database.adminUser,
      password: database.adminPassword,
      connectTimeout: CONNECT_TIMEOUT_MS,
      charset: 'utf8mb4',
    })
  } catch (error) {
    throw new AllowlistError(`cannot connect as ${describe(database)}: ${messageOf(error)}`, 'Unreachable', {
      cause: error,
    })
  }
  // A connection lost between statements is emitted as an event; the next statement rejects
  // with it and reports it, so the event needs a listener only to not crash the process.
  connection.on('error', () => {})
  return connection
}

/**
 * Says goodbye (COM_QUIT) to a healthy connection, bounded by CLOSE_TIMEOUT_MS; drops one that
 * failed, since a quit would wait behind a statement that timed out. The outcome is decided by
 * now: a failure here changes nothing, and the server releases the session's lock either way.
 */
async function close(connection: mysql.Connection, healthy: boolean): Promise<void> {
  if (healthy) {
    const timer = new AbortController()
    const ended = connection.end().then(
      () => true,
      () => false,
    )
    const late = sleep(CLOSE_TIMEOUT_MS, false, { signal: timer.signal }).catch(() => false)
    const politely = await Promise.race([ended, late])
    timer.abort()
    if (politely) return
  }
  connection.destroy()
}

/** Runs `work` on a fresh admin connection and always closes it. */
export async function withAdminSession<T>(
  database: DatabaseEndpoint,
  work: (session: AdminSession) => Promise<T>,
): Promise<T> {
  const connection = await connect(database)
  let healthy = true
  const rows = async (sql: string, values: readonly unknown[] = []): Promise<unknown[][]> => {
    try {
      const [result] = await connection.query({
        sql,
        values: [...values],
        rowsAsArray: true,
        timeout: QUERY_TIMEOUT_MS,
      })
      return Array.isArray(result) ? (result as unknown[][]) : []
    } catch (error) {
      const failure = classify(database, error, sql)
      if (failure.kind === 'Unreachable') healthy = false
      throw failure
    }
  }
  const session: AdminSession = { rows, run: async (sql, values) => void (await rows(sql, values)) }
  try {
    return await work(session)
  } finally {
    await close(connection, healthy)
  }
}

/**
 * Runs `work` holding the server-wide change lock. The lock goes with the session, so it is
 * released when withAdminSession closes the connection, whatever happened.
 */
export async function withChangeLock<T>(
  database: DatabaseEndpoint,
  session: AdminSession,
  work: () => Promise<T>,
): Promise<T> {
  const [row] = await session.rows('SELECT GET_LOCK(?, ?)', [CHANGE_LOCK_NAME, CHANGE_LOCK_WAIT_SECONDS])
  if (Number(row?.[0]) !== 1)
    throw new AllowlistError(
      `another session held the lock ${CHANGE_LOCK_NAME} on ${database.host}:${database.port} for ${CHANGE_LOCK_WAIT_SECONDS} s; retry later`,
      'Unreachable',
    )
  return work()
}
