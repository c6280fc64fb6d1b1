/**
 * A throwaway MariaDB for a test: mariadb-install-db in a temporary directory, mariadbd on a
 * free port of 127.0.0.1 with its socket in that directory, an admin account with a password
 * reachable over TCP from 127.0.0.1, and a stop by PID that also removes the directory. Real
 * grants (no --skip-grant-tables): the point is to prove which connections the server refuses.
 * Clients reach it on 127.0.0.1 from any source address of the loopback network (connectFrom
 * binds one); --skip-name-resolve keeps the server from looking those addresses up in DNS.
 *
 * The Debian package's own service is never used. As root, mariadbd runs as root (--user=root)
 * on a directory root owns, so the tests need no other OS user.
 *
 * When the binaries are missing, mariadbSkipReason() fails under CI=true and otherwise returns a
 * reason to skip, announced on stderr so that a skipped suite is never mistaken for a pass.
 */
import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, openSync, rmSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { connect as connectTcp } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import mysql from 'mysql2/promise'
import { freePort, isRunning, stopByPid as stopByPidOf } from './processes.ts'

const run = promisify(execFile)

/** Where Debian installs the server (sbin) and its tools (bin); PATH is searched after these. */
const DEBIAN_DIRECTORIES = ['/usr/sbin', '/usr/bin']
/** The admin account the tests and the driver use; reachable over TCP from 127.0.0.1 only. */
const ADMIN_USER = 'billow_admin'
const ADMIN_HOST = '127.0.0.1'
/** How long the server may take to accept connections on its socket, in milliseconds. */
const START_TIMEOUT_MS = 20_000
/** Attempts at starting on a free port: another process may take the port between look and bind. */
const START_ATTEMPTS_MAX = 3
/** How long a test client may take to connect, in milliseconds. */
const CLIENT_CONNECT_TIMEOUT_MS = 5_000
/** Pause between looks at a starting or stopping server, in milliseconds. */
const POLL_MS = 20
/** Log kept in a failure message, in characters. */
const LOG_TAIL_CHARS = 4_000

/**
 * Settings for a small, fast, throwaway server, used by both install and start: small InnoDB
 * buffers and logs, no durability (no doublewrite, no flush at commit), no binary log, no
 * performance schema, and a shutdown that skips the purge and flush work.
 */
const FAST_SETTINGS = [
  '--innodb-buffer-pool-size=8M',
  '--innodb-log-file-size=4M',
  '--innodb-temp-data-file-path=ibtmp1:1M:autoextend',
  '--innodb-doublewrite=0',
  '--innodb-flush-log-at-trx-commit=0',
  '--innodb-buffer-pool-load-at-startup=0',
  '--innodb-buffer-pool-dump-at-shutdown=0',
  '--innodb-fast-shutdown=2',
  '--skip-log-bin',
  '--performance-schema=OFF',
  '--skip-name-resolve',
]

export interface MariadbServer {
  readonly host: '127.0.0.1'
  readonly port: number
  readonly adminUser: string
  readonly adminPassword: string
  /** The server's Unix socket, in its temporary directory; root@localhost logs in there without a password. */
  readonly socketPath: string
  /** mariadbd's PID. */
  readonly pid: number
  /** Stops the server by PID (SIGTERM, then SIGKILL) and removes its directory. Idempotent. */
  stop(): Promise<void>
}

interface Binaries {
  readonly server: string
  readonly installDb: string
}

function findBinaries(): Binaries | undefined {
  const directories: string[] = []
  if (process.env.BILLOW_MARIADB_BIN) directories.push(process.env.BILLOW_MARIADB_BIN)
  directories.push(...DEBIAN_DIRECTORIES, ...(process.env.PATH ?? '').split(delimiter).filter(Boolean))
  const find = (names: readonly string[]): string | undefined =>
    directories.flatMap((directory) => names.map((name) => join(directory, name))).find((path) => existsSync(path))
  const server = find(['mariadbd', 'mysqld'])
  const installDb = find(['mariadb-install-db', 'mysql_install_db'])
  return server && installDb ? { server, installDb } : undefined
}

const isRoot = (): boolean => process.getuid?.() === 0

/**
 * Undefined when MariaDB can run here; otherwise why not, said loudly. Under CI=true a missing
 * MariaDB is a broken machine, not a reason to skip: it throws.
 */
export function mariadbSkipReason(): string | undefined {
  if (findBinaries() !== undefined) return undefined
  const reason = `MariaDB server binaries (mariadbd, mariadb-install-db) not found under $BILLOW_MARIADB_BIN, ${DEBIAN_DIRECTORIES.join(', ')} or PATH`
  if (process.env.CI === 'true') throw new Error(`CI=true and MariaDB cannot run: ${reason}`)
  process.stderr.write(`\n*** SKIPPING MariaDB tests: ${reason} (install Debian's mariadb-server package) ***\n\n`)
  return reason
}

/** Servers started and not yet stopped: PID and directory. */
const running = new Map<number, string>()

// A safety net for a test process that ends without its after hooks (an uncaught error, an
// exit()): a SIGKILL of what it started and its directory removed, so no mariadbd outlives it.
process.on('exit', () => {
  for (const [pid, root] of running) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
    rmSync(root, { recursive: true, force: true })
  }
})

export { freePort } from './processes.ts'

const stopByPid = (pid: number) => stopByPidOf(pid, { name: 'mariadbd', firstSignal: 'SIGTERM' })

async function logTail(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '(no log)')
  return text.slice(-LOG_TAIL_CHARS)
}

const asRoot = (): string[] => (isRoot() ? ['--user=root'] : [])

/** Starts a fresh MariaDB. The caller stops it (by PID) with `stop()`, in an after/finally. */
export async function startMariadb(): Promise<MariadbServer> {
  const binaries = findBinaries()
  if (binaries === undefined) throw new Error('MariaDB binaries not found: call mariadbSkipReason() first')
  const root = await mkdtemp(join(tmpdir(), 'billow-mariadb-'))
  const dataDirectory = join(root, 'data')
  try {
    // root@localhost without a password, reachable only through the socket in our 0700 directory;
    // the TCP root accounts install-db also makes are dropped in createAdmin.
    const installArgs = ['--no-defaults', `--datadir=${dataDirectory}`, '--auth-root-authentication-method=normal']
    await run(binaries.installDb, [...installArgs, '--skip-test-db', ...asRoot(), ...FAST_SETTINGS], {
      cwd: root,
      maxBuffer: 1024 * 1024,
    }).catch((error: unknown) => {
      throw new Error(`mariadb-install-db failed: ${(error as { stderr?: string }).stderr ?? error}`, { cause: error })
    })
    return await startOnFreePort(binaries, root, dataDirectory)
  } catch (error) {
    await rm(root, { recursive: true, force: true })
    throw error
  }
}

async function startOnFreePort(binaries: Binaries, root: string, dataDirectory: string): Promise<MariadbServer> {
  const socketPath = join(root, 'mariadb.sock')
  const logFile = join(root, 'mariadbd.log')
  let lastError: unknown
  for (let attempt = 1; attempt <= START_ATTEMPTS_MAX; attempt += 1) {
    const port = await freePort()
    const args = [
      '--no-defaults',
      `--datadir=${dataDirectory}`,
      `--socket=${socketPath}`,
      `--pid-file=${join(root, 'mariadbd.pid')}`,
      `--log-error=${logFile}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      // Refused logins from the tests' many source addresses must not get a host blocked.
      '--max-connect-errors=1000000',
      ...asRoot(),
      ...FAST_SETTINGS,
    ]
    const output = openSync(logFile, 'a')
    const child = spawn(binaries.server, args, { cwd: root, stdio: ['ignore', output, output] })
    closeSync(output)
    child.on('error', () => {}) // a failed spawn leaves pid undefined, reported just below
    child.unref() // the test's after hook stops it by PID; it must not keep the test process alive
    const pid = child.pid
    if (pid === undefined) throw new Error(`${binaries.server} did not start:\n${await logTail(logFile)}`)
    running.set(pid, root)
    try {
      const adminPassword = await whenReady(pid, socketPath, logFile).then(createAdmin)
      return serverHandle({ port, adminPassword, socketPath, pid, root })
    } catch (error) {
      await stopByPid(pid)
      running.delete(pid)
      // Only an exit (the port taken between look and bind) is worth another port.
      if (!(error instanceof ServerExitedError)) throw error
      lastError = new Error(`mariadbd failed on port ${port}: ${error.message}`, { cause: error })
    }
  }
  throw lastError
}

class ServerExitedError extends Error {}

function serverHandle(options: {
  port: number
  adminPassword: string
  socketPath: string
  pid: number
  root: string
}): MariadbServer {
  let stopped = false
  return {
    host: '127.0.0.1',
    port: options.port,
    adminUser: ADMIN_USER,
    adminPassword: options.adminPassword,
    socketPath: options.socketPath,
    pid: options.pid,
    stop: async () => {
      if (stopped) return
      stopped = true
      await stopByPid(options.pid)
      running.delete(options.pid)
      await rm(options.root, { recursive: true, force: true })
    },
  }
}

/** Waits until root can log in on the socket; fails early when mariadbd exits (a port taken, say). */
async function whenReady(pid: number, socketPath: string, logFile: string): Promise<mysql.Connection> {
  const deadlineMs = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (!(await isRunning(pid))) throw new ServerExitedError(`mariadbd exited:\n${await logTail(logFile)}`)
    try {
      return await mysql.createConnection({ socketPath, user: 'root', connectTimeout: CLIENT_CONNECT_TIMEOUT_MS })
    } catch (error) {
      if (Date.now() > deadlineMs)
        throw new Error(
          `not ready after ${START_TIMEOUT_MS} ms (${(error as Error).message}):\n${await logTail(logFile)}`,
        )
    }
    await sleep(POLL_MS)
  }
}

/** Creates the admin account on a new server, drops every TCP root account, and returns the password. */
async function createAdmin(root: mysql.Connection): Promise<string> {
  const password = randomBytes(12).toString('hex')
  try {
    const [others] = await root.query<mysql.RowDataPacket[]>(
      "SELECT User AS user, Host AS host FROM mysql.user WHERE Host <> 'localhost' AND Host <> ''",
    )
    for (const { user, host } of others) await root.query('DROP USER ?@?', [user, host])
    await root.query('CREATE USER ?@? IDENTIFIED BY ?', [ADMIN_USER, ADMIN_HOST, password])
    await root.query('GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [ADMIN_USER, ADMIN_HOST])
  } finally {
    await root.end()
  }
  return password
}

// ---------------------------------------------------------------------------------------------
// Clients

/** Runs one statement as the admin over 127.0.0.1 (values fill `?`) and returns its rows. */
export async function adminQuery<Row extends mysql.RowDataPacket = mysql.RowDataPacket>(
  server: MariadbServer,
  sql: string,
  values: readonly unknown[] = [],
): Promise<Row[]> {
  const connection = await mysql.createConnection({
    host: server.host,
    port: server.port,
    user: server.adminUser,
    password: server.adminPassword,
    connectTimeout: CLIENT_CONNECT_TIMEOUT_MS,
  })
  try {
    const [rows] = await connection.query<Row[]>(sql, [...values])
    return Array.isArray(rows) ? rows : []
  } finally {
    await connection.end()
  }
}

/** The first column of each row of SHOW CREATE USER / SHOW GRANTS, as the admin sees it. */
export async function showStatements(server: MariadbServer, sql: string): Promise<string[]> {
  const rows = await adminQuery(server, sql)
  return rows.map((row) => String(Object.values(row)[0]))
}

export interface LoginOptions {
  /** The client's own source address (an instance's private IP, 127.x.y.z on loopback). */
  readonly sourceAddress: string
  readonly user: string
  readonly password: string
}

/**
 * Logs in from `sourceAddress`, as an instance would, and returns the session; 'refused' when
 * the server has no account for the user at that address. The caller ends the session.
 */
export async function sessionFrom(server: MariadbServer, options: LoginOptions): Promise<mysql.Connection | 'refused'> {
  try {
    return await mysql.createConnection({
      user: options.user,
      password: options.password,
      connectTimeout: CLIENT_CONNECT_TIMEOUT_MS,
      // mysql2 reads localAddress from its options but does not pass it to the socket; a stream
      // of our own, connected from the source address, is how it connects from a chosen IP.
      stream: () => connectTcp({ host: server.host, port: server.port, localAddress: options.sourceAddress }),
    })
  } catch (error) {
    if (await isAllowlistRefusal(server, options, error)) return 'refused'
    throw error
  }
}

/**
 * Host not allowed (no account of any user matches the address), or access denied while no
 * account `user`@`address` exists. Access denied *with* such an account is a wrong password —
 * a broken test, not a refusal — and is not counted.
 */
async function isAllowlistRefusal(server: MariadbServer, options: LoginOptions, error: unknown): Promise<boolean> {
  const { code } = error as { code?: unknown }
  if (code === 'ER_HOST_NOT_PRIVILEGED') return true
  if (code !== 'ER_ACCESS_DENIED_ERROR') return false
  const accounts = await adminQuery(server, 'SELECT 1 FROM mysql.user WHERE User = ? AND Host = ?', [
    options.user,
    options.sourceAddress,
  ])
  return accounts.length === 0
}

/**
 * Tries to log in from `sourceAddress`: 'accepted' once the session reports that very address
 * as its client host, 'refused' when the allowlist turned it away; anything else throws.
 */
export async function connectFrom(server: MariadbServer, options: LoginOptions): Promise<'accepted' | 'refused'> {
  const session = await sessionFrom(server, options)
  if (session === 'refused') return 'refused'
  try {
    const [rows] = await session.query<mysql.RowDataPacket[]>('SELECT USER() AS who')
    const who = String(rows[0]?.who)
    if (who !== `${options.user}@${options.sourceAddress}`)
      throw new Error(`logged in as ${who}, not as ${options.user} from ${options.sourceAddress}`)
    return 'accepted'
  } finally {
    await session.end()
  }
}

let sourceAddresses = 0

/** A fresh source address in 127.71.0.0/16 for this test process (the range the MariaDB tests may use). */
export function nextSourceAddress(): string {
  const index = sourceAddresses
  sourceAddresses += 1
  if (index >= 250 * 250) throw new Error('out of 127.71.0.0/16 source addresses')
  return `127.71.${1 + Math.floor(index / 250)}.${1 + (index % 250)}`
}
