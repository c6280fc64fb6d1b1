/**
 * The PostgreSQL allowlist: one `host` rule per allowed address in a managed block of the
 * server's pg_hba.conf, applied with pg_reload_conf(). The database must run on Billow's machine
 * (Billow edits the file itself) and the admin user must be a superuser.
 *
 * A change, serialized per hba file:
 *
 *   connect as admin ─► SHOW hba_file ─► read the file ─► same bytes as the server's? ─► block
 *   well formed? no parse errors already? ─► edit the block ─► write atomically ─► the server
 *   parses it? ── no ──► restore the old bytes, reload, throw Misconfigured
 *                 └ yes ─► pg_reload_conf() ─► wait until the postmaster has loaded it
 *
 * Every refusal before the write leaves the file untouched. The reload happens even when the
 * block already held the rule, so that a retry after a crash between write and reload finishes
 * the job.
 */
import { isIP } from 'node:net'
import type { DatabaseEndpoint } from '../../core/database.ts'
import { assert } from '../../core/errors.ts'
import { AllowlistError, type DatabaseAllowlist } from '../../ports/database-allowlist.ts'
import { createKeyedQueue } from '../keyed-queue.ts'
import { type AdminSession, withAdminSession } from './admin-session.ts'
import { BLOCK_RULES_MAX, parseHbaFile, renderHbaFile } from './hba-block.ts'
import { type LocalHbaFile, readLocalHbaFile, replaceHbaFile, resolveLocalHbaPath } from './hba-file-access.ts'
import { checkWritableName, type HbaMethod, type ManagedRule } from './hba-rule.ts'
import { checkSameFile, hbaFileErrors, readServerHbaFacts, reloadAndWait } from './hba-server.ts'

/** One change at a time per server, so that a burst of launches holds one admin connection, not many. */
const serverQueue = createKeyedQueue('the database server')
/** One change at a time per hba file, whichever name the server was reached by. */
const fileQueue = createKeyedQueue('the hba file')

type Edit = (rules: readonly ManagedRule[], method: HbaMethod) => readonly ManagedRule[]

/** The rule an endpoint's allow(address) writes, without the method (which the server decides). */
function grantOf(database: DatabaseEndpoint, address: string): Omit<ManagedRule, 'method'> {
  assert(database.engine === 'postgres', `the postgres allowlist got a ${database.engine} database`)
  assert(isIP(address) !== 0, `allowlist address ${JSON.stringify(address)} is not an IP address`)
  checkWritableName(database.clientDatabase, 'database')
  checkWritableName(database.clientUser, 'user')
  return { database: database.clientDatabase, user: database.clientUser, address: normalizeAddress(address) }
}

/**
 * IPv6 hex digits in lowercase, so that one address has one spelling in the block; a zone
 * (`fe80::1%eth0`) is kept as given, since interface names are case-sensitive. Whether the zone
 * exists on the database's machine is for the server to judge (see writeChecked).
 */
function normalizeAddress(address: string): string {
  const zoneAt = address.indexOf('%')
  return zoneAt < 0 ? address.toLowerCase() : `${address.slice(0, zoneAt).toLowerCase()}${address.slice(zoneAt)}`
}

const sameGrant = (rule: ManagedRule, grant: Omit<ManagedRule, 'method'>): boolean =>
  rule.database === grant.database && rule.user === grant.user && rule.address === grant.address

const isFor = (rule: ManagedRule, database: DatabaseEndpoint): boolean =>
  rule.database === database.clientDatabase && rule.user === database.clientUser

/** Adds the grant, or rewrites it in place with the current method; never duplicates it. */
const withGrant =
  (grant: Omit<ManagedRule, 'method'>): Edit =>
  (rules, method) => {
    const index = rules.findIndex((rule) => sameGrant(rule, grant))
    const rest = rules.filter((rule) => !sameGrant(rule, grant))
    const wanted: ManagedRule = { ...grant, method }
    const next = index < 0 ? [...rest, wanted] : [...rest.slice(0, index), wanted, ...rest.slice(index)]
    if (next.length > BLOCK_RULES_MAX)
      throw new AllowlistError(`the managed block already holds ${BLOCK_RULES_MAX} rules, its limit`, 'Misconfigured')
    return next
  }

const withoutGrant =
  (grant: Omit<ManagedRule, 'method'>): Edit =>
  (rules) =>
    rules.filter((rule) => !sameGrant(rule, grant))

const serverKey = (database: DatabaseEndpoint): string => `${database.host}:${database.port}`

async function change(database: DatabaseEndpoint, edit: Edit): Promise<void> {
  await serverQueue.run(serverKey(database), () =>
    withAdminSession(database, async (session) => {
      const facts = await readServerHbaFacts(session)
      const path = await resolveLocalHbaPath(facts.hbaFile)
      await fileQueue.run(path, () =>
        editHbaFile({ database, session, serverPath: facts.hbaFile, path, edit, method: facts.method }),
      )
    }),
  )
}

interface EditContext {
  readonly database: DatabaseEndpoint
  readonly session: AdminSession
  /** The path as the server names it, and as it is on this machine (symlinks resolved). */
  readonly serverPath: string
  readonly path: string
  readonly edit: Edit
  readonly method: HbaMethod
}

async function editHbaFile(context: EditContext): Promise<void> {
  const { database, session, path } = context
  const local = await readLocalHbaFile(path)
  await checkSameFile(session, context.serverPath, local.bytes)
  const file = parseHbaFile(local.bytes, path)
  const existingErrors = await hbaFileErrors(session)
  if (existingErrors.length > 0)
    throw new AllowlistError(
      `${path} already has errors (${existingErrors.join('; ')}); Billow leaves the file untouched until it is fixed`,
      'Misconfigured',
    )
  const rules = context.edit(file.block?.rules ?? [], context.method)
  const next = renderHbaFile(file, rules)
  // A revoke on a file without a block changes nothing: no empty block is added for it.
  const changed = file.block === undefined ? rules.length > 0 : !next.equals(local.bytes)
  if (changed) await writeChecked(context, local, next)
  await reloadAndWait(database, session)
}

/**
 * Writes `next` and has the server parse it before any reload. If the server finds errors (or
 * cannot read the file at all), the old bytes go back before the error is thrown: the running
 * configuration never changed, and the file is as it was.
 */
async function writeChecked(context: EditContext, local: LocalHbaFile, next: Buffer): Promise<void> {
  const { database, session, path } = context
  await replaceHbaFile(local, next)
  let errors: string[]
  try {
    errors = await hbaFileErrors(session)
  } catch (error) {
    await replaceHbaFile(local, local.bytes)
    throw error
  }
  if (errors.length === 0) return
  await replaceHbaFile(local, local.bytes)
  await reloadAndWait(database, session)
  throw new AllowlistError(
    `the server rejected the managed block Billow wrote to ${path} (${errors.join('; ')}); the previous file is restored`,
    'Misconfigured',
  )
}

async function list(database: DatabaseEndpoint): Promise<readonly string[]> {
  assert(database.engine === 'postgres', `the postgres allowlist got a ${database.engine} database`)
  return withAdminSession(database, async (session) => {
    const facts = await readServerHbaFacts(session)
    const local = await readLocalHbaFile(await resolveLocalHbaPath(facts.hbaFile))
    await checkSameFile(session, facts.hbaFile, local.bytes)
    const file = parseHbaFile(local.bytes, local.path)
    return (file.block?.rules ?? []).filter((rule) => isFor(rule, database)).map((rule) => rule.address)
  })
}

export function createPostgresAllowlist(): DatabaseAllowlist {
  return {
    engine: 'postgres',
    allow: async (database, address) => change(database, withGrant(grantOf(database, address))),
    revoke: async (database, address) => change(database, withoutGrant(grantOf(database, address))),
    list,
  }
}
