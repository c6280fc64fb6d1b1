import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { resolveConnection } from './connection.ts'
import { ConnectionError } from './errors.ts'

const dirs: string[] = []
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

function dataDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'billow-cli-connection-'))
  dirs.push(dir)
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content)
  return dir
}

const running = () => true

describe('resolveConnection', () => {
  test('reads server.json and the admin token, trimming its newline and the URL slash', () => {
    const dir = dataDir({
      'server.json': JSON.stringify({ url: 'http://127.0.0.1:8750/', pid: 123 }),
      'admin-token': 'secret-1\n',
    })
    assert.deepEqual(resolveConnection({ env: {}, dataDir: dir, isRunning: running }), {
      url: 'http://127.0.0.1:8750',
      token: 'secret-1',
    })
  })

  test('the environment wins over the files', () => {
    const dir = dataDir({ 'server.json': JSON.stringify({ url: 'http://a', pid: 1 }), 'admin-token': 'file' })
    const env = { BILLOW_URL: 'http://remote:9000', BILLOW_TOKEN: 'env-token' }
    assert.deepEqual(resolveConnection({ env, dataDir: dir, isRunning: running }), {
      url: 'http://remote:9000',
      token: 'env-token',
    })
  })

  test('BILLOW_URL alone still uses the local admin token, and none is fine', () => {
    assert.equal(
      resolveConnection({ env: { BILLOW_URL: 'http://x' }, dataDir: dataDir({ 'admin-token': 't' }) }).token,
      't',
    )
    assert.equal(resolveConnection({ env: { BILLOW_URL: 'http://x' }, dataDir: dataDir() }).token, null)
  })

  test('no server.json: a clear error naming the directory', () => {
    const dir = dataDir()
    assert.throws(
      () => resolveConnection({ env: {}, dataDir: dir, isRunning: running }),
      (error: unknown) =>
        error instanceof ConnectionError &&
        error.message === `no Billow server found in ${dir}: start one with \`billow serve\` or set BILLOW_URL`,
    )
  })

  test('a server.json left by a dead server says so', () => {
    const dir = dataDir({ 'server.json': JSON.stringify({ url: 'http://a', pid: 4242 }) })
    assert.throws(() => resolveConnection({ env: {}, dataDir: dir, isRunning: () => false }), /pid 4242/)
  })

  test('a broken server.json is an error, not a crash', () => {
    assert.throws(
      () => resolveConnection({ env: {}, dataDir: dataDir({ 'server.json': '{' }), isRunning: running }),
      ConnectionError,
    )
    assert.throws(
      () => resolveConnection({ env: {}, dataDir: dataDir({ 'server.json': '{"url":1}' }), isRunning: running }),
      ConnectionError,
    )
  })
})
