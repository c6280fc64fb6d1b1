/** Reading `show stat`: columns by name, and a server's status and check status in Billow's words. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { leastHealthy, parseShowStat, serverHealth, serverSessions } from './show-stat.ts'

const CSV = `# pxname,svname,qcur,scur,status,check_status,
be,i-a,0,2,UP,L7OK,
be,i-b,1,0,DOWN,INI,

`

test('rows are read by column name', () => {
  const rows = parseShowStat(CSV)
  assert.equal(rows.length, 2)
  assert.equal(rows[0]?.get('svname'), 'i-a')
  assert.equal(serverSessions(rows[0] ?? new Map()), 2)
  assert.equal(serverSessions(rows[1] ?? new Map()), 1)
})

test('status and check status map to healthy, unhealthy and checking', () => {
  const health = (status: string, checkStatus: string) =>
    serverHealth(
      new Map([
        ['status', status],
        ['check_status', checkStatus],
      ]),
    )
  assert.equal(health('UP', 'L7OK'), 'healthy')
  assert.equal(health('UP 1/3', 'L7STS'), 'healthy') // failing, not yet past the unhealthy threshold
  assert.equal(health('UP', 'INI'), 'healthy') // carried over by a reload, not checked there yet
  assert.equal(health('DRAIN', 'L7OK'), 'healthy')
  assert.equal(health('DOWN', 'INI'), 'checking') // just registered
  assert.equal(health('DOWN 1/2', 'L7OK'), 'checking') // passing, not yet past the healthy threshold
  assert.equal(health('DOWN', 'L4CON'), 'unhealthy')
  assert.equal(health('MAINT', ''), 'unhealthy')
})

test('an instance is as healthy as its least healthy server', () => {
  assert.equal(leastHealthy(['healthy', 'checking']), 'checking')
  assert.equal(leastHealthy(['healthy', 'unhealthy', 'checking']), 'unhealthy')
  assert.equal(leastHealthy(['healthy']), 'healthy')
})
