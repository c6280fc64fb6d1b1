/**
 * What Billow asks the server about its hba file: where it is, how passwords are hashed, whether
 * the file Billow sees is the server's own, whether the file on disk parses, and — after a
 * reload — whether the postmaster has loaded it. All of it needs a superuser (or the grants on
 * pg_read_all_settings, pg_read_binary_file, pg_hba_file_rules and pg_reload_conf).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { DatabaseEndpoint } from '../../core/database.ts'
import { AllowlistError } from '../../ports/database-allowlist.ts'
import { type AdminSession, withAdminSession } from './admin-session.ts'
import { type HbaMethod, methodFor } from './hba-rule.ts'

/** How long the postmaster may take to load the configuration after pg_reload_conf(), in milliseconds. */
export const RELOAD_WAIT_MS = 5_000
/** Pause between looks at the postmaster's load time, in milliseconds. */
const RELOAD_POLL_MS = 25
/** Rule errors quoted in a message; more would only make it longer. */
const ERRORS_QUOTED_MAX = 3

export interface ServerHbaFacts {
  /** The hba file's path as the server names it (`SHOW hba_file`). */
  readonly hbaFile: string
  /** The method new rules use, from password_encryption. */
  readonly method: HbaMethod
}

export async function readServerHbaFacts(session: AdminSession): Promise<ServerHbaFacts> {
  const rows = await session.query<{ hba_file: string; password_encryption: string }>(
    "SELECT current_setting('hba_file') AS hba_file, current_setting('password_encryption') AS password_encryption",
  )
  const row = rows[0]
  if (row === undefined) throw new AllowlistError('the server did not report its hba_file', 'Misconfigured')
  return { hbaFile: row.hba_file, method: methodFor(row.password_encryption) }
}

/**
 * Throws Misconfigured unless the server reads the same bytes as Billow: a database on another
 * machine with a file at the same path on this one would otherwise be "managed" through the
 * wrong file.
 */
export async function checkSameFile(session: AdminSession, hbaFile: string, localBytes: Buffer): Promise<void> {
  const rows = await session.query<{ bytes: Buffer }>('SELECT pg_read_binary_file($1) AS bytes', [hbaFile])
  if (rows[0]?.bytes.equals(localBytes)) return
  throw new AllowlistError(
    `the server's ${hbaFile} differs from the file of that name on this machine: the database must run on Billow's machine`,
    'Misconfigured',
  )
}

/** The parse errors of the hba file as it is on disk now (not as loaded), as readable text. */
export async function hbaFileErrors(session: AdminSession): Promise<string[]> {
  const rows = await session.query<{ line_number: number; error: string }>(
    'SELECT line_number, error FROM pg_hba_file_rules WHERE error IS NOT NULL ORDER BY line_number LIMIT $1',
    [ERRORS_QUOTED_MAX],
  )
  return rows.map((row) => `line ${row.line_number}: ${row.error}`)
}

/**
 * Reloads the configuration and resolves once the postmaster has loaded it. pg_reload_conf()
 * only sends a signal; a session started after the postmaster handled it reports a later
 * pg_conf_load_time(), and the postmaster handles a reload (hba file included) before it starts
 * any further session, so from then on new connections see the new rules.
 */
export async function reloadAndWait(database: DatabaseEndpoint, session: AdminSession): Promise<void> {
  const before = (await session.query<{ now: string }>('SELECT clock_timestamp()::text AS now'))[0]?.now
  const signalled = (await session.query<{ signalled: boolean }>('SELECT pg_reload_conf() AS signalled'))[0]?.signalled
  if (before === undefined || signalled !== true)
    throw new AllowlistError('pg_reload_conf() could not signal the postmaster', 'Misconfigured')
  const deadlineMs = Date.now() + RELOAD_WAIT_MS
  for (;;) {
    const reloaded = await withAdminSession(database, async (fresh) => {
      const rows = await fresh.query<{ reloaded: boolean }>(
        'SELECT pg_conf_load_time() > $1::timestamptz AS reloaded',
        [before],
      )
      return rows[0]?.reloaded === true
    })
    if (reloaded) return
    if (Date.now() > deadlineMs)
      throw new AllowlistError(`the server did not reload its configuration within ${RELOAD_WAIT_MS} ms`, 'Unreachable')
    await sleep(RELOAD_POLL_MS)
  }
}
