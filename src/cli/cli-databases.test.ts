/** `billow db`: what it sends (the password from a file or stdin only) and how it shows databases, on a stub API. */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { NOW_MS, useStubbedCli } from './testing/fixtures.ts'
import { runCli } from './testing/stub-api.ts'

const stub = useStubbedCli()

const database = {
  id: 'db-1',
  name: 'orders',
  engine: 'postgres',
  host: '127.0.0.1',
  port: 5432,
  adminUser: 'postgres',
  clientUser: 'app',
  clientDatabase: 'orders',
  createdAtMs: NOW_MS - 3_600_000,
  groupIds: ['asg-1', 'asg-2'],
}

const CREATE = [
  ...['db', 'create', '--name', 'orders', '--engine', 'postgres', '--host', '127.0.0.1', '--port', '5432'],
  ...['--admin-user', 'postgres', '--client-user', 'app'],
]

/** The CLI with its stdin holding `stdin`, as in `printf … | billow …`. */
const cliWithStdin = (stdin: string, ...args: string[]) =>
  runCli(args, {
    env: { BILLOW_URL: stub.api().url, BILLOW_TOKEN: 'tok-secret' },
    cwd: stub.workDir,
    nowMs: NOW_MS,
    stdin,
  })

describe('db requests', () => {
  test('create reads the password from a file, without its final newline', async () => {
    writeFileSync(join(stub.workDir, 'pw'), 's3cret: with spaces \n')
    stub.answer = () => ({ status: 201, json: database })
    const result = await stub.cli(...CREATE, '--admin-password-file', 'pw', '--client-database', 'orders')
    assert.equal(result.code, 0, result.stderr)
    const request = stub.only()
    assert.deepEqual([request.method, request.path], ['POST', '/v1/databases'])
    assert.deepEqual(request.body, {
      name: 'orders',
      engine: 'postgres',
      host: '127.0.0.1',
      port: 5432,
      adminUser: 'postgres',
      adminPassword: 's3cret: with spaces ',
      clientUser: 'app',
      clientDatabase: 'orders',
    })
    assert.doesNotMatch(result.stdout, /s3cret/)
  })

  test('create reads the password from stdin with -', async () => {
    stub.answer = () => ({ status: 201, json: database })
    const result = await cliWithStdin('from-a-pipe\r\n', ...CREATE, '--admin-password-file', '-')
    assert.equal(result.code, 0, result.stderr)
    assert.equal((stub.only().body as { adminPassword: string }).adminPassword, 'from-a-pipe')
  })

  test('modify sends only what was given, a new password included', async () => {
    writeFileSync(join(stub.workDir, 'new-pw'), 'rotated')
    stub.answer = () => ({ json: database })
    await stub.cli('databases', 'modify', 'db-1', '--port', '5433', '--admin-password-file', 'new-pw')
    const request = stub.only()
    assert.deepEqual([request.method, request.path], ['PATCH', '/v1/databases/db-1'])
    assert.deepEqual(request.body, { port: 5433, adminPassword: 'rotated' })
  })

  test('delete', async () => {
    stub.answer = () => ({ status: 204 })
    const result = await stub.cli('db', 'delete', 'db-1')
    assert.equal(result.stdout, 'deleted db-1\n')
    assert.deepEqual([stub.only().method, stub.only().path], ['DELETE', '/v1/databases/db-1'])
  })

  test('no password on the command line, none empty or unreadable: exit 2, nothing sent', async () => {
    writeFileSync(join(stub.workDir, 'empty'), '\n')
    const runs = [
      await stub.cli(...CREATE, '--admin-password', 'hunter2'),
      await stub.cli(...CREATE),
      await stub.cli(...CREATE, '--admin-password-file', 'empty'),
      await stub.cli(...CREATE, '--admin-password-file', 'no-such-file'),
      await cliWithStdin('', ...CREATE, '--admin-password-file', '-'),
      // No stdin to read in this run (the test I/O has none).
      await stub.cli(...CREATE, '--admin-password-file', '-'),
      await stub.cli('db', 'create', '--name', 'x', '--engine', 'oracle'),
      await stub.cli('db', 'modify', 'db-1'),
      await stub.cli('db', 'modify', 'db-1', '--engine', 'mysql'),
    ]
    for (const result of runs) assert.equal(result.code, 2, result.stderr)
    assert.equal(stub.api().requests.length, 0)
    assert.match(runs[2]?.stderr ?? '', /--admin-password-file: the file is empty/)
  })
})

describe('db password from a real pipe', () => {
  test('`printf … | billow db create … --admin-password-file -` sends what the pipe held', async () => {
    stub.answer = () => ({ status: 201, json: database })
    const binPath = fileURLToPath(new URL('../../bin/billow.mjs', import.meta.url))
    const child = spawn(process.execPath, [binPath, ...CREATE, '--admin-password-file', '-'], {
      cwd: stub.workDir,
      env: { PATH: process.env.PATH, HOME: stub.workDir, BILLOW_URL: stub.api().url, BILLOW_TOKEN: 'tok-secret' },
    })
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.stdout.resume()
    child.stdin.end('piped secret\n')
    const code = await new Promise((resolve) => child.on('close', resolve))
    assert.equal(code, 0, stderr)
    assert.equal((stub.only().body as { adminPassword: string }).adminPassword, 'piped secret')
  })
})

describe('db output', () => {
  test('list is a table; --json is the raw response', async () => {
    stub.answer = () => ({ json: { databases: [database] } })
    const result = await stub.cli('db', 'list')
    const [header, row] = result.stdout.split('\n')
    assert.match(
      header ?? '',
      /^ID\s+NAME\s+ENGINE\s+ENDPOINT\s+ADMIN USER\s+CLIENT USER\s+CLIENT DATABASE\s+GROUPS\s+AGE$/,
    )
    assert.match(row ?? '', /^db-1\s+orders\s+postgres\s+127\.0\.0\.1:5432\s+postgres\s+app\s+orders\s+2\s+1h00m$/)
    const json = await stub.cli('db', 'list', '--json')
    assert.deepEqual(JSON.parse(json.stdout), { databases: [database] })
    stub.answer = () => ({ json: { databases: [] } })
    assert.match((await stub.cli('db', 'list')).stdout, /no databases/)
  })

  test('describe shows the endpoint and the groups, and that a password is set', async () => {
    stub.answer = () => ({ json: database })
    const result = await stub.cli('db', 'describe', 'db-1')
    assert.match(result.stdout, /^endpoint\s+127\.0\.0\.1:5432$/m)
    assert.match(result.stdout, /^admin password\s+set \(never shown\)$/m)
    assert.match(result.stdout, /^groups\s+asg-1, asg-2$/m)
  })
})
