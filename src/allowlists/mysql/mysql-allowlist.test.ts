/**
 * The MySQL allowlist against a real MariaDB started by the test (test/support/mariadb.ts): the
 * shared conformance suite, then what is particular to per-address accounts — a copy carries the
 * template's authentication and grants, follows it when it changes, a missing or unusable
 * template is refused, and no other account is ever touched. Source addresses come from
 * 127.71.0.0/16.
 */
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { describeAllowlistConformance, rejectsWith } from '../../../test/allowlist-conformance.ts'
import {
  adminQuery,
  connectFrom,
  freePort,
  type MariadbServer,
  mariadbSkipReason,
  nextSourceAddress,
  sessionFrom,
  showStatements,
  startMariadb,
} from '../../../test/support/mariadb.ts'
import type { DatabaseEndpoint } from '../../core/database.ts'
import type { DatabaseId } from '../../core/ids.ts'
import { createMysqlAllowlist } from './mysql-allowlist.ts'

const skip = mariadbSkipReason()
const CLIENT_USER = 'billow_client'
const CLIENT_PASSWORD = 'client-password'
/** The database the client user's template may read and write. */
const APP_DATABASE = 'billow_app'

let lab: Promise<MariadbServer> | undefined

/** One server for the whole file, started on first use and stopped by PID after the last test. */
function sharedServer(): Promise<MariadbServer> {
  lab ??= (async () => {
    const server = await startMariadb()
    await adminQuery(server, `CREATE DATABASE ${APP_DATABASE}`)
    await adminQuery(server, `CREATE TABLE ${APP_DATABASE}.items (id INT)`)
    await createTemplate(server, CLIENT_USER, `IDENTIFIED BY '${CLIENT_PASSWORD}'`)
    await adminQuery(server, `GRANT SELECT, INSERT ON ${APP_DATABASE}.* TO ?@'localhost'`, [CLIENT_USER])
    return server
  })()
  return lab
}

after(async () => {
  const started = await lab?.catch(() => undefined)
  await started?.stop()
})

const createTemplate = (server: MariadbServer, user: string, clauses: string) =>
  adminQuery(server, `CREATE USER ?@'localhost' ${clauses}`, [user])

const endpointOf = (server: MariadbServer, overrides: Partial<DatabaseEndpoint> = {}): DatabaseEndpoint => ({
  id: 'db-mysql-allowlist-test' as DatabaseId,
  engine: 'mysql',
  host: server.host,
  port: server.port,
  adminUser: server.adminUser,
  adminPassword: server.adminPassword,
  clientUser: CLIENT_USER,
  clientDatabase: APP_DATABASE,
  ...overrides,
})

const connectAs = (server: MariadbServer, address: string, user = CLIENT_USER, password = CLIENT_PASSWORD) =>
  connectFrom(server, { sourceAddress: address, user, password })

/** Every account on the server with its definition, for before/after comparisons. */
async function allAccounts(server: MariadbServer): Promise<Map<string, string[]>> {
  const accounts = await adminQuery(server, 'SELECT User AS user, Host AS host FROM mysql.user ORDER BY User, Host')
  const snapshot = new Map<string, string[]>()
  for (const { user, host } of accounts) {
    // A role (host '') has grants but no CREATE USER, and is named without a host.
    const account = host === '' ? `'${user}'` : `'${user}'@'${host}'`
    const created = host === '' ? [] : await showStatements(server, `SHOW CREATE USER ${account}`)
    snapshot.set(account, [...created, ...(await showStatements(server, `SHOW GRANTS FOR ${account}`))])
  }
  return snapshot
}

/** SHOW CREATE USER and SHOW GRANTS of an account, with its host spelled `<host>` so that two accounts compare. */
async function definitionOf(server: MariadbServer, user: string, host: string): Promise<string[]> {
  const account = `'${user}'@'${host}'`
  const spelled = `\`${user}\`@\`${host}\``
  const statements = [
    ...(await showStatements(server, `SHOW CREATE USER ${account}`)),
    ...(await showStatements(server, `SHOW GRANTS FOR ${account}`)),
  ]
  return statements.map((statement) => statement.replaceAll(spelled, `\`${user}\`@<host>`))
}

describeAllowlistConformance('mysql', {
  skip,
  create: async () => {
    const server = await sharedServer()
    const allowlist = createMysqlAllowlist()
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

describe('mysql allowlist: per-address copies of the template account', { skip }, () => {
  const allowlist = createMysqlAllowlist()

  test('a copy has the template authentication, options and grants; the instance can use them and no more', async () => {
    const server = await sharedServer()
    const user = 'billow_rich'
    await createTemplate(server, user, `IDENTIFIED BY '${CLIENT_PASSWORD}' WITH MAX_USER_CONNECTIONS 5`)
    await adminQuery(server, 'CREATE ROLE billow_reader')
    await adminQuery(server, `GRANT SELECT ON ${APP_DATABASE}.* TO billow_reader`)
    await adminQuery(server, `GRANT billow_reader TO ?@'localhost'`, [user])
    await adminQuery(server, `SET DEFAULT ROLE billow_reader FOR ?@'localhost'`, [user])
    await adminQuery(server, `GRANT UPDATE (id) ON ${APP_DATABASE}.items TO ?@'localhost'`, [user])
    const address = nextSourceAddress()
    const database = endpointOf(server, { clientUser: user })
    await allowlist.allow(database, address)
    assert.deepEqual(await definitionOf(server, user, address), await definitionOf(server, user, 'localhost'))

    const session = await sessionFrom(server, { sourceAddress: address, user, password: CLIENT_PASSWORD })
    assert.notEqual(session, 'refused')
    if (session === 'refused') return
    try {
      await session.query(`SELECT * FROM ${APP_DATABASE}.items`) // through the default role
      await session.query(`UPDATE ${APP_DATABASE}.items SET id = 1`) // the column grant
      await assert.rejects(session.query(`DELETE FROM ${APP_DATABASE}.items`), /DELETE command denied/)
    } finally {
      await session.end()
    }
    await allowlist.revoke(database, address)
  })

  test('allowing again brings a copy up to a changed template: new password, new grant', async () => {
    const server = await sharedServer()
    const user = 'billow_changing'
    await createTemplate(server, user, "IDENTIFIED BY 'first-password'")
    await adminQuery(server, `GRANT SELECT ON ${APP_DATABASE}.* TO ?@'localhost'`, [user])
    const database = endpointOf(server, { clientUser: user })
    const address = nextSourceAddress()
    await allowlist.allow(database, address)
    await adminQuery(server, `ALTER USER ?@'localhost' IDENTIFIED BY 'second-password'`, [user])
    await adminQuery(server, `GRANT INSERT ON ${APP_DATABASE}.* TO ?@'localhost'`, [user])
    await allowlist.allow(database, address)
    assert.deepEqual(await definitionOf(server, user, address), await definitionOf(server, user, 'localhost'))
    assert.equal(await connectAs(server, address, user, 'second-password'), 'accepted')
    assert.deepEqual(await allowlist.list(database), [address])
    await allowlist.revoke(database, address)
  })

  test('a missing template is Misconfigured, names the account, and creates nothing', async () => {
    const server = await sharedServer()
    const database = endpointOf(server, { clientUser: 'billow_nobody' })
    const address = nextSourceAddress()
    await rejectsWith('Misconfigured', allowlist.allow(database, address), /'billow_nobody'@'localhost' does not exist/)
    assert.deepEqual(await allowlist.list(database), [])
    assert.deepEqual(await adminQuery(server, "SELECT Host FROM mysql.user WHERE User = 'billow_nobody'"), [])
  })

  test('a template without a password, or with socket authentication only, is Misconfigured', async () => {
    const server = await sharedServer()
    await createTemplate(server, 'billow_no_password', '')
    await createTemplate(server, 'billow_socket_only', 'IDENTIFIED VIA unix_socket')
    const address = nextSourceAddress()
    const noPassword = endpointOf(server, { clientUser: 'billow_no_password' })
    await rejectsWith('Misconfigured', allowlist.allow(noPassword, address), /has no password/)
    const socketOnly = endpointOf(server, { clientUser: 'billow_socket_only' })
    await rejectsWith('Misconfigured', allowlist.allow(socketOnly, address), /only over the local socket/)
    assert.deepEqual([...(await allowlist.list(noPassword)), ...(await allowlist.list(socketOnly))], [])
  })

  test('other accounts are untouched: other hosts of the client user, other users at the address', async () => {
    const server = await sharedServer()
    const address = nextSourceAddress()
    const others = ['10.71.0.%', '10.71.1.0/255.255.255.0', 'app.example', '::1', '127.071.0.1']
    for (const host of others) await adminQuery(server, 'CREATE USER ?@? IDENTIFIED BY ?', [CLIENT_USER, host, 'x'])
    await adminQuery(server, 'CREATE USER ?@? IDENTIFIED BY ?', ['billow_neighbour', address, 'x'])
    const before = await allAccounts(server)
    const database = endpointOf(server)
    assert.deepEqual(await allowlist.list(database), [], 'hosts that are not literal IPv4 addresses are not listed')
    await allowlist.allow(database, address)
    assert.equal(await connectAs(server, address), 'accepted')
    await allowlist.revoke(database, address)
    assert.deepEqual(await allAccounts(server), before)
    for (const host of others) await adminQuery(server, 'DROP USER ?@?', [CLIENT_USER, host])
  })

  test('an admin user without the privileges to copy is Misconfigured, and nothing changes', async () => {
    const server = await sharedServer()
    await adminQuery(server, "CREATE USER 'billow_weak'@'127.0.0.1' IDENTIFIED BY 'weak-password'")
    await adminQuery(server, "GRANT SELECT ON mysql.* TO 'billow_weak'@'127.0.0.1'")
    const database = endpointOf(server, { adminUser: 'billow_weak', adminPassword: 'weak-password' })
    const address = nextSourceAddress()
    await rejectsWith('Misconfigured', allowlist.allow(database, address), /CREATE USER/)
    assert.deepEqual(await allowlist.list(database), [])
    assert.equal(await connectAs(server, address), 'refused')
  })

  test('names and addresses the driver must not manage are Misconfigured before any connection', async () => {
    const server = await sharedServer()
    const unreachable = endpointOf(server, { port: await freePort() })
    const admin = { ...unreachable, clientUser: unreachable.adminUser }
    await rejectsWith('Misconfigured', allowlist.revoke(admin, '127.0.0.1'), /also the admin user/)
    await rejectsWith('Misconfigured', allowlist.allow(unreachable, 'fd00::7'), /IPv4 addresses only/)
    for (const clientUser of ["it's", 'back\\slash', 'tick`', '', 'x'.repeat(129)])
      await rejectsWith('Misconfigured', allowlist.list({ ...unreachable, clientUser }), /cannot be managed/)
  })
})
