/**
 * Access keys end to end: the REST API and `billow keys` against a real server in a temporary
 * data directory. The secret is answered once and is nowhere else: not in lists, not in the
 * store file, not in the log; the key that seals it is a 0600 file of the data directory.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { runCli } from '../src/cli/testing/stub-api.ts'
import { type ServerHandle, startServer } from '../src/main.ts'

let server: ServerHandle
let dataDir: string
let token: string
const logLines: string[] = []

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'billow-keys-'))
  server = await startServer({ host: '127.0.0.1', port: 0, dataDir, demo: false, log: (line) => logLines.push(line) })
  token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim()
})
after(async () => {
  await server.close()
  await rm(dataDir, { recursive: true, force: true })
})

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status, json: text ? JSON.parse(text) : null }
}

test('create, list, disable, enable and delete through the REST API; the secret is shown once', async () => {
  const created = await call('POST', '/v1/access-keys', { name: 'terraform', scope: 'read-only' })
  assert.equal(created.status, 201)
  const { accessKey, secret } = created.json as { accessKey: { id: string; status: string }; secret: string }
  assert.match(accessKey.id, /^ak-[0-9a-z]{16}$/)
  assert.match(secret, /^[A-Za-z0-9_-]{40}$/)
  assert.equal(accessKey.status, 'Active')

  const listed = await call('GET', '/v1/access-keys')
  assert.equal(listed.json.accessKeys.length, 1)
  assert.deepEqual(Object.keys(listed.json.accessKeys[0]).sort(), ['createdAtMs', 'id', 'name', 'scope', 'status'])
  const fetched = await call('GET', `/v1/access-keys/${accessKey.id}`)
  assert.ok(!JSON.stringify([listed.json, fetched.json]).includes(secret))

  assert.equal((await call('POST', `/v1/access-keys/${accessKey.id}/disable`, {})).json.status, 'Inactive')
  assert.equal((await call('POST', `/v1/access-keys/${accessKey.id}/enable`, {})).json.status, 'Active')
  const bad = await call('POST', '/v1/access-keys', { name: 'x', scope: 'admin' })
  assert.deepEqual([bad.status, bad.json.error.field], [400, 'scope'])

  const storeBytes = await readFile(join(dataDir, 'billow.sqlite'))
  const walBytes = await readFile(join(dataDir, 'billow.sqlite-wal')).catch(() => Buffer.alloc(0))
  assert.ok(!Buffer.concat([storeBytes, walBytes]).includes(secret), 'the store keeps the secret sealed')
  assert.ok(!logLines.join('\n').includes(secret), 'the log never carries it')
  const keyFile = await stat(join(dataDir, 'secret-box.key'))
  assert.equal(keyFile.mode & 0o777, 0o600)

  assert.equal((await call('DELETE', `/v1/access-keys/${accessKey.id}`)).status, 204)
  const gone = await call('GET', `/v1/access-keys/${accessKey.id}`)
  assert.deepEqual([gone.status, gone.json.error.code], [404, 'AccessKeyNotFound'])
})

test('billow keys create prints the id and secret once; list, disable, enable and delete', async () => {
  const env = { BILLOW_URL: server.url, BILLOW_TOKEN: token }
  const created = await runCli(['keys', 'create', '--name', 'ci'], { env })
  assert.equal(created.code, 0, created.stderr)
  const id = /access key id\s+(ak-[0-9a-z]+)/.exec(created.stdout)?.[1]
  const secret = /access key secret\s+(\S+)/.exec(created.stdout)?.[1]
  assert.ok(id && secret, created.stdout)
  assert.match(created.stderr, /never shown again/)

  const listed = await runCli(['keys', 'list'], { env })
  assert.match(listed.stdout, new RegExp(`${id}\\s+ci\\s+full\\s+Active`))
  assert.ok(!listed.stdout.includes(secret))
  assert.match((await runCli(['keys', 'disable', id], { env })).stdout, /Inactive/)
  assert.match((await runCli(['keys', 'list', '--json'], { env })).stdout, /"status": "Inactive"/)
  assert.match((await runCli(['keys', 'enable', id], { env })).stdout, /Active/)
  assert.match((await runCli(['keys', 'delete', id], { env })).stdout, /deleted/)
  const again = await runCli(['keys', 'delete', id], { env })
  assert.notEqual(again.code, 0)
  assert.match(again.stderr, /AccessKeyNotFound|does not exist/)
})
