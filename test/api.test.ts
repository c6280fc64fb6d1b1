/**
 * The REST API over a real server (in this process, on loopback, in a temporary data directory):
 * authentication, and bad input answered with a 4xx, a stable code and the field, never a 500
 * and never half written.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { type ServerHandle, startServer } from '../src/main.ts'

let server: ServerHandle
let dataDir: string
let token: string

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'billow-api-'))
  server = await startServer({ host: '127.0.0.1', port: 0, dataDir, demo: false, log: () => {} })
  token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim()
})
after(async () => {
  await server.close()
  await rm(dataDir, { recursive: true, force: true })
})

async function call(
  method: string,
  path: string,
  body?: unknown,
  options: { token?: string | null; raw?: string } = {},
) {
  const bearer = options.token === undefined ? token : options.token
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    ...(options.raw !== undefined ? { body: options.raw } : body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status, json: text ? JSON.parse(text) : null }
}

const demoDirectory = fileURLToPath(new URL('../examples/demo-app', import.meta.url))

async function fixtures() {
  const image = await call('POST', '/v1/images', {
    name: 'demo',
    directory: demoDirectory,
    command: [process.execPath, 'server.mjs'],
    healthPath: '/health',
  })
  assert.equal(image.status, 201)
  const lc = await call('POST', '/v1/launch-configurations', { name: 'demo', imageId: image.json.id })
  assert.equal(lc.status, 201)
  return { imageId: image.json.id as string, launchConfigurationId: lc.json.id as string }
}

const zones = [{ zoneId: 'zone-a', subnet: '127.62.1.0/24' }]

// biome-ignore lint/suspicious/noExplicitAny: the document is checked field by field below
type OpenApi = { openapi: string; paths: Record<string, Record<string, any>> }

describe('authentication', () => {
  test('every API call needs a valid bearer token', async () => {
    assert.equal((await call('GET', '/v1/groups', undefined, { token: null })).status, 401)
    const wrong = await call('GET', '/v1/groups', undefined, { token: 'blw_wrong' })
    assert.equal(wrong.status, 401)
    assert.equal(wrong.json.error.code, 'Unauthenticated')
    assert.equal((await call('GET', '/v1/groups')).status, 200)
  })

  test('a read-only token reads and cannot write; a deleted token stops working', async () => {
    const created = await call('POST', '/v1/tokens', { name: 'dashboards', scope: 'read-only' })
    assert.equal(created.status, 201)
    const secret = created.json.secret as string
    assert.equal((await call('GET', '/v1/groups', undefined, { token: secret })).status, 200)
    const write = await call('POST', '/v1/images', { name: 'x', directory: '/x', command: ['x'] }, { token: secret })
    assert.equal(write.status, 403)
    assert.equal(write.json.error.code, 'Forbidden')
    const listed = await call('GET', '/v1/tokens')
    assert.ok(!JSON.stringify(listed.json).includes(secret), 'secrets are never returned again')
    assert.equal((await call('DELETE', `/v1/tokens/${created.json.token.id}`)).status, 204)
    assert.equal((await call('GET', '/v1/groups', undefined, { token: secret })).status, 401)
  })

  test('a second server on the same data directory is refused', async () => {
    await assert.rejects(startServer({ host: '127.0.0.1', port: 0, dataDir, demo: false, log: () => {} }), {
      name: 'DataDirectoryLocked',
      message: /another Billow server \(pid \d+\) uses/,
    })
  })

  test('the OpenAPI document describes the routes', async () => {
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as OpenApi
    assert.equal(document.openapi, '3.1.0')
    assert.ok(document.paths['/v1/groups']?.post.requestBody)
    assert.ok(document.paths['/v1/rules/{rule}/execute']?.post)
  })
})

describe('bad input gets a 4xx naming the field', () => {
  test('shape errors: unknown, missing and mistyped fields, malformed JSON, oversized bodies', async () => {
    const { launchConfigurationId } = await fixtures()
    const valid = { name: 'web', minSize: 0, maxSize: 2, zones, launchConfigurationId }
    const unknown = await call('POST', '/v1/groups', { ...valid, colour: 'blue' })
    assert.deepEqual(
      [unknown.status, unknown.json.error.code, unknown.json.error.field],
      [400, 'UnknownParameter', 'colour'],
    )
    const { minSize: _, ...withoutMin } = valid
    const missing = await call('POST', '/v1/groups', withoutMin)
    assert.deepEqual(
      [missing.status, missing.json.error.code, missing.json.error.field],
      [400, 'MissingParameter', 'minSize'],
    )
    const mistyped = await call('POST', '/v1/groups', { ...valid, maxSize: 'ten' })
    assert.deepEqual(
      [mistyped.status, mistyped.json.error.code, mistyped.json.error.field],
      [400, 'InvalidParameterValue', 'maxSize'],
    )
    const nested = await call('POST', '/v1/groups', { ...valid, zones: [{ zoneId: 'a', subnet: 'nope' }] })
    assert.deepEqual([nested.status, nested.json.error.field], [400, 'zones.0.subnet'])
    const malformed = await call('POST', '/v1/groups', undefined, { raw: '{"name":' })
    assert.deepEqual([malformed.status, malformed.json.error.code], [400, 'MalformedRequest'])
    const huge = await call('POST', '/v1/images', undefined, {
      raw: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
    })
    assert.deepEqual([huge.status, huge.json.error.code], [413, 'PayloadTooLarge'])
  })

  test('domain errors: bounds, unknown ids, relative directories, a rule of another group', async () => {
    const { launchConfigurationId } = await fixtures()
    const base = { minSize: 0, maxSize: 2, zones, launchConfigurationId }
    const minAboveMax = await call('POST', '/v1/groups', { ...base, name: 'g1', minSize: 3 })
    assert.deepEqual(
      [minAboveMax.status, minAboveMax.json.error.code, minAboveMax.json.error.field],
      [400, 'IncorrectCapacity.MinSize', 'minSize'],
    )
    const desired = await call('POST', '/v1/groups', { ...base, name: 'g2', desiredCapacity: 5 })
    assert.deepEqual(
      [desired.json.error.code, desired.json.error.field],
      ['IncorrectCapacity.DesiredCapacity', 'desiredCapacity'],
    )
    const lc = await call('POST', '/v1/groups', { ...base, name: 'g3', launchConfigurationId: 'asc-missing' })
    assert.deepEqual(
      [lc.status, lc.json.error.code, lc.json.error.field],
      [404, 'LaunchConfigurationNotFound', 'launchConfigurationId'],
    )
    const relative = await call('POST', '/v1/images', { name: 'rel', directory: 'apps/x', command: ['x'] })
    assert.deepEqual([relative.status, relative.json.error.field], [400, 'directory'])
    assert.equal((await call('GET', '/v1/groups/asg-nothere')).json.error.code, 'ScalingGroupNotFound')
    assert.equal((await call('POST', '/v1/rules/asr-nothere/execute', {})).status, 404)

    const one = await call('POST', '/v1/groups', { ...base, name: 'one' })
    const two = await call('POST', '/v1/groups', { ...base, name: 'two' })
    const rule = await call('POST', '/v1/rules', {
      groupId: one.json.id,
      name: 'r',
      adjustmentType: 'TotalCapacity',
      adjustmentValue: 0,
    })
    const crossed = await call('POST', `/v1/rules/${rule.json.id}/execute`, { groupId: two.json.id })
    assert.deepEqual([crossed.status, crossed.json.error.field], [400, 'groupId'])
    const magnitude = await call('POST', '/v1/rules', {
      groupId: one.json.id,
      name: 'm',
      adjustmentType: 'TotalCapacity',
      adjustmentValue: 1,
      minAdjustmentMagnitude: 2,
    })
    assert.deepEqual([magnitude.status, magnitude.json.error.field], [400, 'minAdjustmentMagnitude'])
    const conflict = await call('POST', '/v1/groups', { ...base, name: 'one' })
    assert.deepEqual([conflict.status, conflict.json.error.code], [409, 'NameConflict'])
  })

  test('a refused command writes nothing', async () => {
    const before = (await call('GET', '/v1/groups')).json.groups.length
    const { launchConfigurationId } = await fixtures()
    const refused = await call('POST', '/v1/groups', {
      name: 'half',
      minSize: 0,
      maxSize: 2,
      zones: [...zones, { zoneId: 'zone-a', subnet: '127.62.9.0/24' }],
      launchConfigurationId,
    })
    assert.equal(refused.status, 400)
    assert.equal((await call('GET', '/v1/groups')).json.groups.length, before)
    const inUse = await call('DELETE', `/v1/launch-configurations/${launchConfigurationId}`)
    assert.equal(inUse.status, 204, 'an unused launch configuration can go')
  })

  test('no body on any write route makes the server answer 500', async () => {
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as OpenApi
    const junk = [
      'null',
      '[]',
      '"text"',
      '{"a":1}',
      '{"name":{"$gt":""}}',
      '{"minSize":1e309}',
      '{"instanceIds":[1,2]}',
      '{}',
    ]
    for (const [path, operations] of Object.entries(document.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(operations)) {
        if (method === 'get') continue
        const concrete = path.replace(/\{[^}]+\}/g, 'asg-x')
        for (const raw of junk) {
          const response = await call(method.toUpperCase(), concrete, undefined, { raw })
          assert.ok(
            (response.status >= 400 && response.status < 500) || response.status < 300,
            `${method} ${concrete} ${raw} → ${response.status}`,
          )
          if (response.status >= 400) assert.equal(typeof response.json.error.code, 'string')
        }
      }
    }
  })
})
