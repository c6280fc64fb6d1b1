/**
 * A throwaway PostgreSQL for a test: initdb in a temporary directory (superuser password set,
 * scram-sha-256 for host lines), a free port on 127.0.0.1, pg_ctl start, and a stop by PID that
 * also removes the directory. Clients reach it on 127.0.0.1 from any source address of the
 * loopback network (connectFrom binds one), so the server listens on 127.0.0.1 only.
 *
 * As root (CI), initdb and pg_ctl refuse to run: they run as the `postgres` OS user that the
 * Debian package creates, through runuser, on a directory that user owns.
 *
 * When the binaries are missing, postgresSkipReason() fails under CI=true and otherwise returns
 * a reason to skip, announced on stderr so that a skipped suite is never mistaken for a pass.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { freePort, stopByPid as stopByPidOf } from './processes.ts'

const run = promisify(execFile)

/** The OS user that owns the cluster when the tests run as root (created by Debian's package). */
const POSTGRES_OS_USER = 'postgres'
/** Where Debian installs the server binaries, one directory per major version. */
const DEBIAN_POSTGRES_ROOT = '/usr/lib/postgresql'
/** How long pg_ctl waits for the server to accept connections, in seconds. */
const START_TIMEOUT_SECONDS = 15
/** Attempts at starting on a free port: another process may take the port between look and bind. */
const START_ATTEMPTS_MAX = 3
/** How long a test client may take to connect, in milliseconds. */
const CLIENT_CONNECT_TIMEOUT_MS = 5_000
/** Log kept in a failure message, in characters. */
const LOG_TAIL_CHARS = 4_000

export interface PostgresServer {
  readonly host: '127.0.0.1'
  readonly port: number
  readonly adminUser: string
  readonly adminPassword: string
  readonly dataDirectory: string
  /** The server's pg_hba.conf, as `SHOW hba_file` reports it. */
  readonly hbaFile: string
  /** The postmaster's PID, from postmaster.pid. */
  readonly pid: number
  /** Stops the server by PID (SIGINT, then SIGKILL) and removes its directory. Idempotent. */
  stop(): Promise<void>
}

interface Binaries {
  readonly initdb: string
  readonly pgCtl: string
}

function findBinaries(): Binaries | undefined {
  const candidates: string[] = []
  if (process.env.BILLOW_POSTGRES_BIN) candidates.push(process.env.BILLOW_POSTGRES_BIN)
  if (existsSync(DEBIAN_POSTGRES_ROOT)) {
    const versions = readdirSync(DEBIAN_POSTGRES_ROOT).filter((name) => /^\d+$/.test(name))
    versions.sort((a, b) => Number(b) - Number(a))
    candidates.push(...versions.map((version) => join(DEBIAN_POSTGRES_ROOT, version, 'bin')))
  }
  candidates.push(...(process.env.PATH ?? '').split(delimiter).filter(Boolean))
  for (const directory of candidates) {
    const initdb = join(directory, 'initdb')
    const pgCtl = join(directory, 'pg_ctl')
    if (existsSync(initdb) && existsSync(pgCtl)) return { initdb, pgCtl }
  }
  return undefined
}

const isRoot = (): boolean => process.getuid?.() === 0

/**
 * Undefined when PostgreSQL can run here; otherwise why not, said loudly. Under CI=true a
 * missing PostgreSQL is a broken machine, not a reason to skip: it throws.
 */
export function postgresSkipReason(): string | undefined {
  let reason: string | undefined
  if (findBinaries() === undefined)
    reason = `PostgreSQL server binaries (initdb, pg_ctl) not found under $BILLOW_POSTGRES_BIN, ${DEBIAN_POSTGRES_ROOT}/*/bin or PATH`
  else if (isRoot() && !existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser'))
    reason = 'running as root, and runuser is missing to run PostgreSQL as another user'
  if (reason === undefined) return undefined
  if (process.env.CI === 'true') throw new Error(`CI=true and PostgreSQL cannot run: ${reason}`)
  process.stderr.write(`\n*** SKIPPING PostgreSQL tests: ${reason} (install Debian's postgresql package) ***\n\n`)
  return reason
}

interface OsUser {
  readonly uid: number
  readonly gid: number
}

async function postgresOsUser(): Promise<OsUser | undefined> {
  if (!isRoot()) return undefined
  const uid = Number((await run('id', ['-u', POSTGRES_OS_USER])).stdout.trim())
  const gid = Number((await run('id', ['-g', POSTGRES_OS_USER])).stdout.trim())
  return { uid, gid }
}

/** Runs a PostgreSQL binary, as the postgres OS user when we are root. */
async function runServerBinary(owner: OsUser | undefined, binary: string, args: string[], cwd: string) {
  const [file, fileArgs] = owner ? ['runuser', ['-u', POSTGRES_OS_USER, '--', binary, ...args]] : [binary, args]
  return run(file, fileArgs, { cwd, maxBuffer: 1024 * 1024 })
}

/** Postmasters started and not yet stopped, by PID. */
const running = new Set<number>()

// A safety net for a test process that ends without its after hooks (an uncaught error, an
// exit()): an immediate shutdown (SIGQUIT) of what it started, so no postgres outlives it.
process.on('exit', () => {
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGQUIT')
    } catch {
      // Already gone.
    }
  }
})

export { freePort } from './processes.ts'

const stopByPid = (pid: number) => stopByPidOf(pid, { name: 'postgres', firstSignal: 'SIGINT' })

async function readPostmasterPid(dataDirectory: string): Promise<number | undefined> {
  const text = await readFile(join(dataDirectory, 'postmaster.pid'), 'utf8').catch(() => undefined)
  const pid = Number(text?.split('\n')[0])
  return Number.isInteger(pid) && pid > 0 ? pid : undefined
}

async function logTail(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '(no log)')
  return text.slice(-LOG_TAIL_CHARS)
}

/** Starts a fresh PostgreSQL. The caller stops it (by PID) with `stop()`, in an after/finally. */
export async function startPostgres(): Promise<PostgresServer> {
  const binaries = findBinaries()
  if (binaries === undefined) throw new Error('PostgreSQL binaries not found: call postgresSkipReason() first')
  const owner = await postgresOsUser()
  const root = await mkdtemp(join(tmpdir(), 'billow-pg-'))
  const dataDirectory = join(root, 'data')
  const adminPassword = randomBytes(12).toString('hex')
  const passwordFile = join(root, 'password')
  try {
    if (owner) await chown(root, owner.uid, owner.gid)
    await writeFile(passwordFile, `${adminPassword}\n`, { mode: 0o600 })
    if (owner) await chown(passwordFile, owner.uid, owner.gid)
    await runServerBinary(
      owner,
      binaries.initdb,
      ['-D', dataDirectory, '-U', 'postgres', `--pwfile=${passwordFile}`, '--auth-host=scram-sha-256'],
      root,
    ).catch(async (error: unknown) => {
      throw new Error(`initdb failed: ${(error as { stderr?: string }).stderr ?? error}`, { cause: error })
    })
    await rm(passwordFile)
    return await startOnFreePort({ binaries, owner, root, dataDirectory, adminPassword })
  } catch (error) {
    const pid = await readPostmasterPid(dataDirectory)
    if (pid !== undefined) await stopByPid(pid)
    await rm(root, { recursive: true, force: true })
    throw error
  }
}

interface StartContext {
  readonly binaries: Binaries
  readonly owner: OsUser | undefined
  readonly root: string
  readonly dataDirectory: string
  readonly adminPassword: string
}

async function startOnFreePort(context: StartContext): Promise<PostgresServer> {
  const { binaries, owner, root, dataDirectory } = context
  const logFile = join(root, 'postgres.log')
  let lastError: unknown
  for (let attempt = 1; attempt <= START_ATTEMPTS_MAX; attempt += 1) {
    const port = await freePort()
    // Durability is of no use to a throwaway cluster; turning it off keeps the tests fast.
    const settings = [
      `-c port=${port}`,
      `-c listen_addresses=127.0.0.1`,
      `-c unix_socket_directories=${root}`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ')
    const startArgs = ['start', '-D', dataDirectory, '-w', '-t', String(START_TIMEOUT_SECONDS), '-l', logFile]
    try {
      await runServerBinary(owner, binaries.pgCtl, [...startArgs, '-o', settings], root)
    } catch (error) {
      lastError = new Error(`pg_ctl start failed on port ${port}:\n${await logTail(logFile)}`, { cause: error })
      const pid = await readPostmasterPid(dataDirectory)
      if (pid !== undefined) await stopByPid(pid)
      continue
    }
    const pid = await readPostmasterPid(dataDirectory)
    if (pid === undefined) throw new Error(`postgres started without a postmaster.pid:\n${await logTail(logFile)}`)
    let stopped = false
    running.add(pid)
    return {
      host: '127.0.0.1',
      port,
      adminUser: 'postgres',
      adminPassword: context.adminPassword,
      dataDirectory,
      hbaFile: join(dataDirectory, 'pg_hba.conf'),
      pid,
      stop: async () => {
        if (stopped) return
        stopped = true
        await stopByPid(pid)
        running.delete(pid)
        await rm(root, { recursive: true, force: true })
      },
    }
  }
  throw lastError
}

// ---------------------------------------------------------------------------------------------
// Clients

/** Runs one statement as the superuser over 127.0.0.1 and returns its rows. */
export async function adminQuery<Row extends pg.QueryResultRow = pg.QueryResultRow>(
  server: PostgresServer,
  sql: string,
  params: readonly unknown[] = [],
): Promise<Row[]> {
  const client = new pg.Client({
    host: server.host,
    port: server.port,
    user: server.adminUser,
    password: server.adminPassword,
    database: 'postgres',
    connectionTimeoutMillis: CLIENT_CONNECT_TIMEOUT_MS,
  })
  client.on('error', () => {}) // a failure also rejects the pending call below, which reports it
  await client.connect()
  try {
    return (await client.query<Row>(sql, [...params])).rows
  } finally {
    await client.end()
  }
}

/** Creates a login role with a password (scram, the server's default), for clients to connect as. */
export async function createLoginRole(server: PostgresServer, role: string, password: string): Promise<void> {
  const quotedRole = `"${role.replaceAll('"', '""')}"`
  const quotedPassword = `'${password.replaceAll("'", "''")}'`
  await adminQuery(server, `CREATE ROLE ${quotedRole} LOGIN PASSWORD ${quotedPassword}`)
}

export interface ConnectFromOptions {
  readonly server: Pick<PostgresServer, 'host' | 'port'>
  /** The client's own source address (an instance's private IP, 127.x.y.z on loopback). */
  readonly sourceAddress: string
  readonly user: string
  readonly password: string
  readonly database: string
}

/**
 * Tries to connect from `sourceAddress`, as an instance would. 'refused' means pg_hba.conf
 * turned the connection away (no entry, or a reject line); any other failure, such as a wrong
 * password, is a broken test and throws.
 */
export async function connectFrom(options: ConnectFromOptions): Promise<'accepted' | 'refused'> {
  const client = new pg.Client({
    host: options.server.host,
    port: options.server.port,
    user: options.user,
    password: options.password,
    database: options.database,
    connectionTimeoutMillis: CLIENT_CONNECT_TIMEOUT_MS,
    // pg calls socket.connect(port, host) itself; a socket whose connect binds the source address
    // first is how node-postgres 8 connects from a chosen local IP.
    stream: () => boundSocket(options.sourceAddress),
  })
  client.on('error', () => {}) // a failure also rejects connect() or query(), which report it
  try {
    await client.connect()
  } catch (error) {
    if (isHbaRefusal(error)) return 'refused'
    throw error
  }
  try {
    const rows = (await client.query<{ address: string }>('SELECT host(inet_client_addr()) AS address')).rows
    if (rows[0]?.address !== options.sourceAddress)
      throw new Error(`connected from ${rows[0]?.address}, not from ${options.sourceAddress}`)
    return 'accepted'
  } finally {
    await client.end()
  }
}

function boundSocket(localAddress: string): Socket {
  const socket = new Socket()
  const connect = socket.connect.bind(socket)
  socket.connect = ((port: number, host: string) => connect({ port, host, localAddress })) as typeof socket.connect
  return socket
}

/** SQLSTATE 28000 with pg_hba.conf's wording: no entry for the host, or a reject line. */
function isHbaRefusal(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown }
  return code === '28000' && typeof message === 'string' && message.includes('pg_hba.conf')
}

let sourceAddresses = 0

/** A fresh source address in 127.70.0.0/16 for this test process (the range the tests may use). */
export function nextSourceAddress(): string {
  const index = sourceAddresses
  sourceAddresses += 1
  if (index >= 250 * 250) throw new Error('out of 127.70.0.0/16 source addresses')
  return `127.70.${1 + Math.floor(index / 250)}.${1 + (index % 250)}`
}
