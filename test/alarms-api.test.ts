/**
 * Dynamic mode over the REST API of a real server (in this process, loopback, temporary data
 * directory): alarm CRUD, enable/disable and history; bad input answered 4xx with the field;
 * custom metrics pushed and queried; the decision log; /metrics in the Prometheus text format,
 * behind the same bearer token as /v1.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { type ServerHandle, startServer } from '../src/main.ts'

let server: ServerHandle
let dataDir: string
let token: string

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'billow-alarms-api-'))
  server = await startServer({ host: '127.0.0.1', port: 0, dataDir, demo: false, log: () => {} })
  token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim()
})
after(async () => {
  await server.close()
  await rm(dataDir, { recursive: true, force: true })
})

async function call(method: string, path: string, body?: unknown, bearer: string | null = token) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  const json = response.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : null
  return { status: response.status, json, text }
}

async function group(name: string): Promise<string> {
  const image = await call('POST', '/v1/images', {
    name,
    directory: fileURLToPath(new URL('../examples/demo-app', import.meta.url)),
    command: [process.execPath, 'server.mjs'],
    healthPath: '/health',
  })
  const lc = await call('POST', '/v1/launch-configurations', { name, imageId: image.json.id })
  const created = await call('POST', '/v1/groups', {
    name,
    minSize: 0,
    maxSize: 4,
    zones: [{ zoneId: 'zone-a', subnet: '127.73.200.0/24' }],
    launchConfigurationId: lc.json.id,
  })
  assert.equal(created.status, 201, JSON.stringify(created.json))
  return created.json.id
}

test('alarms: create, describe, modify, disable, enable, history, delete; bad input names the field', async () => {
  const groupId = await group('alarms-a')
  const otherGroupId = await group('alarms-b')
  const rule = await call('POST', '/v1/rules', {
    groupId,
    name: 'add-two',
    adjustmentType: 'QuantityChangeInCapacity',
    adjustmentValue: 2,
    cooldownSeconds: 0,
  })
  const foreign = await call('POST', '/v1/rules', {
    groupId: otherGroupId,
    name: 'other',
    adjustmentType: 'QuantityChangeInCapacity',
    adjustmentValue: 1,
  })
  const body = {
    groupId,
    name: 'cpu-high',
    conditions: [
      { metric: { kind: 'Builtin', name: 'CpuUtilization' }, statistic: 'Maximum', comparison: '>=', threshold: 80 },
    ],
    periodSeconds: 60,
    evaluationCount: 1,
    actions: [rule.json.ari],
  }
  const created = await call('POST', '/v1/alarms', body)
  assert.equal(created.status, 201, JSON.stringify(created.json))
  assert.equal(created.json.state, 'INSUFFICIENT_DATA')
  assert.deepEqual(created.json.actions, [rule.json.id])
  const id = created.json.id as string

  assert.equal((await call('GET', `/v1/alarms/${id}`)).json.name, 'cpu-high')
  assert.equal((await call('GET', `/v1/alarms?groupId=${groupId}`)).json.alarms.length, 1)
  assert.equal((await call('PATCH', `/v1/alarms/${id}`, { evaluationCount: 3 })).json.evaluationCount, 3)
  assert.equal((await call('POST', `/v1/alarms/${id}/disable`, {})).json.enabled, false)
  assert.equal((await call('POST', `/v1/alarms/${id}/enable`, {})).json.enabled, true)
  assert.deepEqual((await call('GET', `/v1/alarms/${id}/history`)).json.history, [])

  const bad = async (changes: Record<string, unknown>, field: RegExp) => {
    const answer = await call('POST', '/v1/alarms', { ...body, ...changes })
    assert.equal(answer.status, 400, JSON.stringify(answer.json))
    assert.match(answer.json.error.field ?? '', field, JSON.stringify(answer.json))
  }
  await bad(
    { conditions: [{ ...body.conditions[0], metric: { kind: 'Builtin', name: 'Nope' } }] },
    /conditions\.0\.metric\.name/,
  )
  await bad({ periodSeconds: 0.5 }, /periodSeconds/)
  await bad({ periodSeconds: 7_200 }, /periodSeconds/)
  await bad({ expression: 'm1 ||' }, /expression/)
  await bad({ actions: [foreign.json.id] }, /actions\.0/)
  assert.equal((await call('GET', `/v1/alarms/alarm-doesnotexist`)).status, 404)

  assert.equal((await call('DELETE', `/v1/alarms/${id}`)).status, 204)
  assert.equal((await call('GET', `/v1/alarms/${id}`)).status, 404)
  assert.equal((await call('GET', `/v1/groups/${groupId}/decisions`)).status, 200)
})

test('custom metrics: a batch pushed, then queried by statistic per period', async () => {
  const nowMs = Date.now()
  const points = [10, 20, 30, 40].map((value, index) => ({
    namespace: 'shop',
    name: 'QueueLength',
    dimensions: { queue: 'orders' },
    value,
    timestampMs: nowMs - 4_000 + index * 1_000,
  }))
  const pushed = await call('POST', '/v1/metrics', { points })
  assert.equal(pushed.status, 200, JSON.stringify(pushed.json))
  assert.equal(pushed.json.accepted, 4)
  const query = new URLSearchParams({
    namespace: 'shop',
    name: 'QueueLength',
    dimensions: JSON.stringify({ queue: 'orders' }),
    statistic: 'Sum',
    periodSeconds: '60',
    fromMs: String(nowMs - 120_000),
    toMs: String(nowMs + 1),
  })
  const answer = await call('GET', `/v1/metrics?${query}`)
  assert.equal(answer.status, 200, JSON.stringify(answer.json))
  const sum = answer.json.datapoints.reduce(
    (total: number, point: { value: number | null }) => total + (point.value ?? 0),
    0,
  )
  assert.equal(sum, 100)
  const reserved = await call('POST', '/v1/metrics', {
    points: [{ namespace: 'billow', name: 'CpuUtilization', value: 1 }],
  })
  assert.equal(reserved.status, 400)
})

test('/metrics: the Prometheus text format, behind the bearer token', async () => {
  assert.equal((await call('GET', '/metrics', undefined, null)).status, 401)
  const answer = await call('GET', '/metrics')
  assert.equal(answer.status, 200)
  assert.match(answer.text, /# TYPE billow_scaling_groups gauge/)
  assert.match(answer.text, /billow_instances\{state="InService"\}/)
  for (const status of ['Queued', 'InProgress', 'Successful', 'Warning', 'Failed', 'Rejected']) {
    assert.match(answer.text, new RegExp(`billow_activities\\{status="${status}"\\} \\d+`), `activities ${status}`)
  }
})
