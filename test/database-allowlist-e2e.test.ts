/**
 * Issue 3's allowlist proof, end to end: a real PostgreSQL (started here, on loopback), a real
 * `billow serve`, a group whose database attachment is that PostgreSQL. A connection from the
 * instance's own address is refused before the scale-out, accepted after it, and refused again
 * after the scale-in. Subnet 127.72.1.0/24 belongs to this file.
 */
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import {
  connectFrom,
  createLoginRole,
  type PostgresServer,
  postgresSkipReason,
  startPostgres,
} from './support/postgres.ts'
import { createDemoGroup, ServerLab, waitForSettled } from './support/server-process.ts'

const SETTLE_MS = 90_000
/** The first address the group's only zone hands out (network .0 and gateway .1 are kept back). */
const FIRST_ADDRESS = '127.72.1.2'
const CLIENT_USER = 'orders_app'
const CLIENT_PASSWORD = 'orders-password'

const lab = new ServerLab()
let postgres: PostgresServer | undefined
after(async () => {
  await lab.dispose()
  await postgres?.stop()
})

const skip = postgresSkipReason()

describe('a group attached to a PostgreSQL database', { timeout: 300_000, skip }, () => {
  test('its instances are allowed in while they run, and only then', async () => {
    postgres = await startPostgres()
    await createLoginRole(postgres, CLIENT_USER, CLIENT_PASSWORD)
    const connect = (sourceAddress: string) =>
      connectFrom({
        server: postgres as PostgresServer,
        sourceAddress,
        user: CLIENT_USER,
        password: CLIENT_PASSWORD,
        database: 'postgres',
      })

    const server = await lab.start(await lab.dataDir('allowlist-e2e'))
    const database = await server.api.post<{ id: string; adminPassword?: string }>('/v1/databases', {
      name: 'orders',
      engine: 'postgres',
      host: postgres.host,
      port: postgres.port,
      adminUser: postgres.adminUser,
      adminPassword: postgres.adminPassword,
      clientUser: CLIENT_USER,
    })
    assert.equal(database.adminPassword, undefined, 'the password is never returned')
    const { groupId } = await createDemoGroup(server.api, {
      name: 'orders',
      zones: [{ zoneId: 'zone-a', subnet: '127.72.1.0/24' }],
      desiredCapacity: 0,
    })
    await server.api.post(`/v1/groups/${groupId}/databases`, { databaseId: database.id })

    assert.equal(await connect(FIRST_ADDRESS), 'refused', 'refused before the scale-out')
    await server.api.post(`/v1/groups/${groupId}/desired-capacity`, { desiredCapacity: 1 })
    const [instance] = await waitForSettled(server.api, groupId, 1, SETTLE_MS)
    assert.equal(instance?.privateIp, FIRST_ADDRESS)
    assert.equal(await connect(FIRST_ADDRESS), 'accepted', 'accepted once the instance is InService')
    assert.equal(await connect('127.72.1.3'), 'refused', 'only the instance’s own address')

    await server.api.post(`/v1/groups/${groupId}/desired-capacity`, { desiredCapacity: 0 })
    await waitForSettled(server.api, groupId, 0, SETTLE_MS)
    assert.equal(await connect(FIRST_ADDRESS), 'refused', 'refused again after the scale-in')
  })
})
