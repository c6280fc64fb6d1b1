/**
 * The PostgreSQL allowlist against a real server started by the test (test/support/postgres.ts):
 * the shared conformance suite, then what is particular to pg_hba.conf — where the block goes,
 * the rest of the file kept byte for byte, malformed files refused untouched, a block the server
 * rejects rolled back. Source addresses come from 127.70.0.0/16.
 */
import assert from 'node:assert/strict'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { after, describe, test } from 'node:test'
import { describeAllowlistConformance, rejectsWith } from '../../../test/allowlist-conformance.ts'
import {
  adminQuery,
  connectFrom,
  createLoginRole,
  freePort,
  nextSourceAddress,
  type PostgresServer,
  postgresSkipReason,
  startPostgres,
} from '../../../test/support/postgres.ts'
import { waitFor } from '../../../test/support/server-process.ts'
import type { DatabaseEndpoint } from '../../core/database.ts'
import type { DatabaseId } from '../../core/ids.ts'
import { BLOCK_BEGIN, BLOCK_END } from './hba-block.ts'
import { createPostgresAllowlist } from './postgres-allowlist.ts'

const skip = postgresSkipReason()
const CLIENT_USER = 'billow_client'
const CLIENT_PASSWORD = 'client-password'
/** A role whose name pg_hba.conf must hold quoted (capitals, a hyphen). */
const QUOTED_USER = 'Billow-App'
/** How long a server-wide setting may take to reach new sessions after a reload, in milliseconds. */
const SETTING_WAIT_MS = 5_000

interface Lab {
  readonly server: PostgresServer
  /** pg_hba.conf as initdb wrote it, before any test touched it. */
  readonly pristine: Buffer
}

let lab: Promise<Lab> | undefined

/** One server for the whole file, started on first use and stopped by PID after the last test. */
function sharedLab(): Promise<Lab> {
  lab ??= (async () => {
    const server = await startPostgres()
    await createLoginRole(server, CLIENT_USER, CLIENT_PASSWORD)
    await createLoginRole(server, QUOTED_USER, CLIENT_PASSWORD)
    return { server, pristine: await readFile(server.hbaFile) }
  })()
  return lab
}

after(async () => {
  const started = await lab?.catch(() => undefined)
  await started?.server.stop()
})

const endpointOf = (server: PostgresServer, overrides: Partial<DatabaseEndpoint> = {}): DatabaseEndpoint => ({
  id: 'db-allowlist-test' as DatabaseId,
  engine: 'postgres',
  host: server.host,
  port: server.port,
  adminUser: server.adminUser,
  adminPassword: server.adminPassword,
  clientUser: CLIENT_USER,
  clientDatabase: 'postgres',
  ...overrides,
})

const connectAs = (server: PostgresServer, address: string, user = CLIENT_USER) =>
  connectFrom({ server, sourceAddress: address, user, password: CLIENT_PASSWORD, database: 'postgres' })

describeAllowlistConformance('postgres', {
  skip,
  create: async () => {
    const { server } = await sharedLab()
    const allowlist = createPostgresAllowlist()
    const database = endpointOf(server)
    return {
      allowlist,
      database,
      unreachable: endpointOf(server, { port: await freePort() }),
      nextAddress: nextSourceAddress,
      connectFrom: (address) => connectAs(server, address),
      dispose: async () => {
        for (const address of await allowlist.list(database)) await allowlist.revoke(database, address)
      },
    }
  },
})

/** Runs `body` with pg_hba.conf set to `bytes` (default: as initdb wrote it), then puts the pristine file back. */
async function withHbaFile(bytes: Buffer | undefined, body: (server: PostgresServer) => Promise<void>): Promise<void> {
  const { server, pristine } = await sharedLab()
  await writeFile(server.hbaFile, bytes ?? pristine)
  await adminQuery(server, 'SELECT pg_reload_conf()')
  try {
    await body(server)
  } finally {
    await writeFile(server.hbaFile, pristine)
    await adminQuery(server, 'SELECT pg_reload_conf()')
  }
}

const text = (value: string): Buffer => Buffer.from(value, 'utf8')

/** Sets password_encryption server-wide and waits until new sessions see it. */
async function setPasswordEncryption(server: PostgresServer, value: 'md5' | 'scram-sha-256'): Promise<void> {
  await adminQuery(server, `ALTER SYSTEM SET password_encryption = '${value}'`)
  await adminQuery(server, 'SELECT pg_reload_conf()')
  await waitFor(
    async () =>
      (await adminQuery<{ value: string }>(server, "SELECT current_setting('password_encryption') AS value"))[0]
        ?.value === value,
    { what: `password_encryption = ${value}`, timeoutMs: SETTING_WAIT_MS },
  )
}

describe('postgres allowlist: the managed block in pg_hba.conf', { skip }, () => {
  const allowlist = createPostgresAllowlist()

  test('a new block goes at the top; after allow and revoke the rest of the file is byte for byte the same', async () => {
    await withHbaFile(undefined, async (server) => {
      const original = await readFile(server.hbaFile)
      const before = await stat(server.hbaFile)
      const database = endpointOf(server)
      const address = nextSourceAddress()
      await allowlist.allow(database, address)
      const allowed = await readFile(server.hbaFile)
      const rule = `host postgres ${CLIENT_USER} ${address}/32 scram-sha-256`
      assert.ok(allowed.equals(Buffer.concat([text(`${BLOCK_BEGIN}\n${rule}\n${BLOCK_END}\n`), original])))
      await allowlist.revoke(database, address)
      const revoked = await readFile(server.hbaFile)
      assert.ok(revoked.equals(Buffer.concat([text(`${BLOCK_BEGIN}\n${BLOCK_END}\n`), original])))
      const after = await stat(server.hbaFile)
      assert.deepEqual([after.mode, after.uid, after.gid], [before.mode, before.uid, before.gid])
    })
  })

  test('the block takes effect before a broader reject line for the same addresses', async () => {
    const { pristine } = await sharedLab()
    const withReject = Buffer.concat([pristine, text('host all all 127.70.0.0/16 reject\n')])
    await withHbaFile(withReject, async (server) => {
      const address = nextSourceAddress()
      assert.equal(await connectAs(server, address), 'refused')
      await allowlist.allow(endpointOf(server), address)
      assert.equal(await connectAs(server, address), 'accepted')
      await allowlist.revoke(endpointOf(server), address)
      assert.equal(await connectAs(server, address), 'refused')
    })
  })

  test('a block an administrator moved is rewritten where it is, bytes around it unchanged', async () => {
    const { pristine } = await sharedLab()
    // A Latin-1 comment (0xe9 is not UTF-8 on its own) and a CRLF line break must survive too.
    const head = Buffer.concat([pristine, Buffer.from('# caf\xe9 in Latin-1\r\n', 'latin1')])
    const tail = text('\n# the end\n')
    const moved = Buffer.concat([head, text(`${BLOCK_BEGIN}\n${BLOCK_END}\n`), tail])
    await withHbaFile(moved, async (server) => {
      const address = nextSourceAddress()
      await allowlist.allow(endpointOf(server, { clientDatabase: 'all' }), address)
      const rule = `host all ${CLIENT_USER} ${address}/32 scram-sha-256`
      const expected = Buffer.concat([head, text(`${BLOCK_BEGIN}\n${rule}\n${BLOCK_END}\n`), tail])
      assert.ok((await readFile(server.hbaFile)).equals(expected))
      assert.equal(await connectAs(server, address), 'accepted')
    })
  })

  test('a role whose name needs quotes is written quoted and can connect', async () => {
    await withHbaFile(undefined, async (server) => {
      const database = endpointOf(server, { clientUser: QUOTED_USER })
      const address = nextSourceAddress()
      assert.equal(await connectAs(server, address, QUOTED_USER), 'refused')
      await allowlist.allow(database, address)
      assert.match(await readFile(server.hbaFile, 'utf8'), new RegExp(`host postgres "${QUOTED_USER}" ${address}/32`))
      assert.equal(await connectAs(server, address, QUOTED_USER), 'accepted')
      assert.equal(await connectAs(server, address, CLIENT_USER), 'refused', 'another role from the same address')
      assert.deepEqual(await allowlist.list(database), [address])
    })
  })

  test('rules follow password_encryption: md5 when the server hashes with md5', async () => {
    await withHbaFile(undefined, async (server) => {
      await setPasswordEncryption(server, 'md5')
      try {
        const address = nextSourceAddress()
        await allowlist.allow(endpointOf(server), address)
        assert.match(await readFile(server.hbaFile, 'utf8'), new RegExp(`${address}/32 md5\n`))
        // A scram-hashed password still logs in under md5: the server then uses scram.
        assert.equal(await connectAs(server, address), 'accepted')
      } finally {
        await setPasswordEncryption(server, 'scram-sha-256')
      }
    })
  })

  const malformed: ReadonlyArray<readonly [string, string]> = [
    ['two BEGIN markers', `${BLOCK_BEGIN}\n${BLOCK_BEGIN}\n${BLOCK_END}\n`],
    ['a BEGIN without an END', `${BLOCK_BEGIN}\nhost all app 127.70.9.9/32 scram-sha-256\n`],
    ['an END without a BEGIN', `${BLOCK_END}\n`],
    ['an END before the BEGIN', `${BLOCK_END}\n${BLOCK_BEGIN}\n`],
    ['two blocks', `${BLOCK_BEGIN}\n${BLOCK_END}\n${BLOCK_BEGIN}\n${BLOCK_END}\n`],
    ['an edited marker', '# BEGIN billow managed block\n# END billow managed block\n'],
    ['a line Billow did not write inside the block', `${BLOCK_BEGIN}\nhost all all 0.0.0.0/0 trust\n${BLOCK_END}\n`],
  ]
  for (const [problem, block] of malformed) {
    test(`a file with ${problem} is refused as Misconfigured and left untouched`, async () => {
      const { pristine } = await sharedLab()
      await withHbaFile(Buffer.concat([pristine, text(block)]), async (server) => {
        const before = await readFile(server.hbaFile)
        const { ino, mtimeMs } = await stat(server.hbaFile)
        const database = endpointOf(server)
        await rejectsWith('Misconfigured', allowlist.allow(database, nextSourceAddress()), /untouched/)
        await rejectsWith('Misconfigured', allowlist.revoke(database, nextSourceAddress()))
        await rejectsWith('Misconfigured', allowlist.list(database))
        assert.ok((await readFile(server.hbaFile)).equals(before))
        assert.deepEqual(await stat(server.hbaFile).then((after) => [after.ino, after.mtimeMs]), [ino, mtimeMs])
      })
    })
  }

  test('a file the server cannot parse is refused as Misconfigured and left untouched', async () => {
    const { pristine } = await sharedLab()
    await withHbaFile(Buffer.concat([pristine, text('host all all 127.0.0.1/32 no-such-method\n')]), async (server) => {
      const before = await readFile(server.hbaFile)
      await rejectsWith('Misconfigured', allowlist.allow(endpointOf(server), nextSourceAddress()), /already has errors/)
      assert.ok((await readFile(server.hbaFile)).equals(before))
    })
  })

  test('an admin user that is not a superuser is Misconfigured, and the file is untouched', async () => {
    await withHbaFile(undefined, async (server) => {
      await createLoginRole(server, 'plain_admin', CLIENT_PASSWORD)
      const before = await readFile(server.hbaFile)
      const database = endpointOf(server, { adminUser: 'plain_admin', adminPassword: CLIENT_PASSWORD })
      await rejectsWith('Misconfigured', allowlist.allow(database, nextSourceAddress()), /superuser/)
      await rejectsWith('Misconfigured', allowlist.list(database), /superuser/)
      assert.ok((await readFile(server.hbaFile)).equals(before))
    })
  })

  test('a block the server rejects is rolled back: old bytes restored, Misconfigured, earlier rules still work', async () => {
    await withHbaFile(undefined, async (server) => {
      const kept = nextSourceAddress()
      await allowlist.allow(endpointOf(server), kept)
      const before = await readFile(server.hbaFile)
      // A valid IPv6 address with a zone: whether the interface exists is the server's to judge.
      await rejectsWith('Misconfigured', allowlist.allow(endpointOf(server), 'fe80::1%nosuchif'), /restored/)
      assert.ok((await readFile(server.hbaFile)).equals(before))
      assert.equal(await connectAs(server, kept), 'accepted')
    })
  })
})
