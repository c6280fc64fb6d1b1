/**
 * Scheduled tasks through the REST API and the CLI, over a real server in this process (loopback,
 * temporary data directory): create, read, list with the next occurrences in local time and UTC,
 * modify, enable, disable, history, delete; and bad input answered 4xx with the field it is about.
 * No task comes due during the test: their times are days ahead.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { runCli } from '../src/cli/testing/stub-api.ts'
import { type ServerHandle, startServer } from '../src/main.ts'

const DAY_MS = 86_400_000

let server: ServerHandle
let dataDir: string
let token: string
let groupId: string
let otherGroupId: string
let ruleId: string
let otherRuleId: string

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status, json: text ? JSON.parse(text) : null }
}

/** "2026-03-04T11:00" in Shanghai time, `days` from now (Shanghai is UTC+8 all year). */
function shanghaiLocal(days: number, time = '11:00'): string {
  return `${new Date(Date.now() + days * DAY_MS + 8 * 3_600_000).toISOString().slice(0, 10)}T${time}`
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'billow-schedule-api-'))
  server = await startServer({ host: '127.0.0.1', port: 0, dataDir, demo: false, log: () => {} })
  token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim()
  const image = await call('POST', '/v1/images', {
    name: 'demo',
    directory: fileURLToPath(new URL('../examples/demo-app', import.meta.url)),
    command: [process.execPath, 'server.mjs'],
  })
  const lc = await call('POST', '/v1/launch-configurations', { name: 'demo', imageId: image.json.id })
  const group = (name: string, subnet: string) =>
    call('POST', '/v1/groups', {
      name,
      minSize: 0,
      maxSize: 4,
      desiredCapacity: 0,
      zones: [{ zoneId: 'zone-a', subnet }],
      launchConfigurationId: lc.json.id,
    })
  groupId = (await group('lunch', '127.65.1.0/24')).json.id
  otherGroupId = (await group('other', '127.65.2.0/24')).json.id
  const rule = (group: string) =>
    call('POST', '/v1/rules', {
      groupId: group,
      name: 'plus-two',
      adjustmentType: 'QuantityChangeInCapacity',
      adjustmentValue: 2,
    })
  ruleId = (await rule(groupId)).json.id
  otherRuleId = (await rule(otherGroupId)).json.id
})
after(async () => {
  await server.close()
  await rm(dataDir, { recursive: true, force: true })
})

const validTask = () => ({
  groupId,
  name: 'lunch peak',
  timeZone: 'Asia/Shanghai',
  launchTime: shanghaiLocal(2),
  recurrence: { type: 'Daily', intervalDays: 1 },
  launchExpirationSeconds: 7200,
  action: { kind: 'ExecuteRule', ruleId },
})

describe('scheduled tasks over REST', () => {
  test('create, describe, list with the next three occurrences, modify, disable, enable, history, delete', async () => {
    const created = await call('POST', '/v1/scheduled-tasks', validTask())
    assert.equal(created.status, 201, JSON.stringify(created.json))
    const task = created.json
    assert.match(task.id, /^sst-/)
    assert.equal(task.launch.local, shanghaiLocal(2))
    assert.equal(task.launch.utc, `${shanghaiLocal(2).slice(0, 10)}T03:00:00Z`)
    assert.equal(task.nextOccurrences.length, 3)
    assert.deepEqual(
      task.nextOccurrences.map((next: { local: string }) => next.local),
      [shanghaiLocal(2), shanghaiLocal(3), shanghaiLocal(4)],
    )
    assert.equal((await call('GET', `/v1/scheduled-tasks/${task.id}`)).json.name, 'lunch peak')
    const listed = await call('GET', `/v1/scheduled-tasks?groupId=${groupId}`)
    assert.deepEqual(
      listed.json.scheduledTasks.map((entry: { id: string }) => entry.id),
      [task.id],
    )

    const modified = await call('PATCH', `/v1/scheduled-tasks/${task.id}`, {
      windowEndTime: '13:00',
      action: { kind: 'SetGroupSize', desiredCapacity: 4 },
    })
    assert.equal(modified.status, 200, JSON.stringify(modified.json))
    assert.deepEqual(modified.json.action, { kind: 'SetGroupSize', minSize: null, maxSize: null, desiredCapacity: 4 })
    assert.equal((await call('POST', `/v1/scheduled-tasks/${task.id}/disable`, {})).json.enabled, false)
    assert.equal((await call('POST', `/v1/scheduled-tasks/${task.id}/enable`, {})).json.enabled, true)
    const next = await call('GET', `/v1/scheduled-tasks/${task.id}/next-occurrences?count=5`)
    assert.equal(next.json.occurrences.length, 5)
    assert.deepEqual((await call('GET', `/v1/scheduled-tasks/${task.id}/history`)).json, { runs: [] })
    assert.equal((await call('DELETE', `/v1/scheduled-tasks/${task.id}`)).status, 204)
    const gone = await call('GET', `/v1/scheduled-tasks/${task.id}`)
    assert.deepEqual([gone.status, gone.json.error.code], [404, 'ScheduledTaskNotFound'])
  })

  test('an instant launch time is kept as the local time it names', async () => {
    const launchTime = `${shanghaiLocal(3).slice(0, 10)}T03:00Z`
    const created = await call('POST', '/v1/scheduled-tasks', { ...validTask(), name: 'by instant', launchTime })
    assert.equal(created.status, 201, JSON.stringify(created.json))
    assert.equal(created.json.launchTime, shanghaiLocal(3))
    await call('DELETE', `/v1/scheduled-tasks/${created.json.id}`)
  })
})

describe('bad input gets a 4xx naming the field', () => {
  // Functions: the ids they name exist only once `before` has run.
  const cases: [what: string, change: () => Record<string, unknown>, status: number, field: string][] = [
    ['unknown time zone', () => ({ timeZone: 'Mars/Olympus_Mons' }), 400, 'timeZone'],
    [
      'a cron that never fires',
      () => ({ recurrence: { type: 'Cron', expression: '0 0 30 2 *' } }),
      400,
      'recurrence.expression',
    ],
    [
      'a malformed cron',
      () => ({ recurrence: { type: 'Cron', expression: '0 25 * * *' } }),
      400,
      'recurrence.expression',
    ],
    ['end before start', () => ({ recurrenceEndTime: shanghaiLocal(1) }), 400, 'recurrenceEndTime'],
    ['a one-time task in the past', () => ({ recurrence: null, launchTime: shanghaiLocal(-1) }), 400, 'launchTime'],
    ['a rule of another group', () => ({ action: { kind: 'ExecuteRule', ruleId: otherRuleId } }), 400, 'action.ruleId'],
    [
      'a rule that does not exist',
      () => ({ action: { kind: 'ExecuteRule', ruleId: 'asr-missing' } }),
      404,
      'action.ruleId',
    ],
    ['a size change that sets nothing', () => ({ action: { kind: 'SetGroupSize' } }), 400, 'action'],
    ['min above max', () => ({ action: { kind: 'SetGroupSize', minSize: 5, maxSize: 2 } }), 400, 'action.minSize'],
    [
      'a window that reaches the next occurrence',
      () => ({ recurrence: { type: 'Cron', expression: '0 * * * *' }, windowEndTime: '13:00' }),
      400,
      'windowEndTime',
    ],
    ['a malformed launch time', () => ({ launchTime: 'tomorrow at noon' }), 400, 'launchTime'],
    ['an unknown recurrence type', () => ({ recurrence: { type: 'Hourly' } }), 400, 'recurrence.type'],
    ['a launch expiration too long', () => ({ launchExpirationSeconds: 86_400 }), 400, 'launchExpirationSeconds'],
    ['an unknown field', () => ({ colour: 'blue' }), 400, 'colour'],
    ['a group that does not exist', () => ({ groupId: 'asg-missing' }), 404, 'groupId'],
  ]

  for (const [what, change, status, field] of cases) {
    test(what, async () => {
      const response = await call('POST', '/v1/scheduled-tasks', { ...validTask(), ...change() })
      assert.deepEqual([response.status, response.json.error?.field], [status, field], JSON.stringify(response.json))
      // A 400 says what is wrong with the field in its message too; a 404 says what does not exist.
      if (status === 400) assert.match(response.json.error.message, new RegExp(field.replace('.', '\\.')))
    })
  }

  test('a second task of the same name in the group is a conflict; nothing refused was written', async () => {
    const first = await call('POST', '/v1/scheduled-tasks', { ...validTask(), name: 'twice' })
    const second = await call('POST', '/v1/scheduled-tasks', { ...validTask(), name: 'twice' })
    assert.deepEqual([second.status, second.json.error.code, second.json.error.field], [409, 'NameConflict', 'name'])
    const listed = await call('GET', `/v1/scheduled-tasks?groupId=${groupId}`)
    assert.deepEqual(
      listed.json.scheduledTasks.map((task: { name: string }) => task.name),
      ['twice'],
    )
    await call('DELETE', `/v1/scheduled-tasks/${first.json.id}`)
  })
})

describe('billow schedule', () => {
  const billow = (...args: string[]) =>
    runCli(args, { env: { BILLOW_URL: server.url, BILLOW_TOKEN: token }, nowMs: Date.now() })

  test('create, list (next three, local and UTC), describe, modify, disable, enable, history, delete', async () => {
    const at = shanghaiLocal(2).replace('T', ' ')
    const created = await billow(
      ...['schedule', 'create', '--group', groupId, '--name', 'cli lunch', '--at', at, '--time-zone', 'Asia/Shanghai'],
      ...['--daily', '--window-end', '13:00', '--rule', ruleId, '--json'],
    )
    assert.equal(created.code, 0, created.stderr)
    const id = JSON.parse(created.stdout).id as string

    const listed = await billow('schedule', 'list', '--group', groupId)
    assert.equal(listed.code, 0, listed.stderr)
    for (const days of [2, 3, 4]) {
      const local = shanghaiLocal(days).replace('T', ' ')
      assert.ok(listed.stdout.includes(local), `list shows ${local}:\n${listed.stdout}`)
      assert.ok(listed.stdout.includes(`${local.slice(0, 10)} 03:00Z`), `list shows UTC:\n${listed.stdout}`)
    }
    assert.match(listed.stdout, /daily at 11:00–13:00 Asia\/Shanghai/)

    const described = await billow('schedule', 'describe', id)
    assert.match(described.stdout, /reverted at 13:00 unless the group changed since/)
    const modified = await billow('schedule', 'modify', id, '--weekly', 'mon-fri', '--desired', '3', '--json')
    assert.equal(modified.code, 0, modified.stderr)
    assert.deepEqual(JSON.parse(modified.stdout).recurrence, { type: 'Weekly', daysOfWeek: [1, 2, 3, 4, 5] })
    assert.equal((await billow('schedule', 'disable', id)).code, 0)
    assert.match((await billow('schedule', 'enable', id)).stdout, /enabled\s+yes/)
    assert.match((await billow('schedule', 'history', id)).stdout, /no runs yet; next:/)
    assert.equal((await billow('schedule', 'delete', id)).code, 0)
  })

  test('refusals name the field; usage errors exit 2 before anything is sent', async () => {
    const refused = await billow(
      ...['schedule', 'create', '--group', groupId, '--name', 'x', '--at', shanghaiLocal(2)],
      ...['--time-zone', 'Nowhere/City', '--rule', ruleId],
    )
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /InvalidParameterValue.*\(field: timeZone\)/)
    const both = await billow(
      ...['schedule', 'create', '--group', groupId, '--name', 'x', '--at', shanghaiLocal(2)],
      ...['--daily', '--cron', '0 11 * * *', '--rule', ruleId],
    )
    assert.equal(both.code, 2)
    assert.match(both.stderr, /one of --daily, --weekly, --monthly, --cron and --once/)
  })
})
