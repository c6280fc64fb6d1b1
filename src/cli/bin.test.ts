/** The executable itself: runs from any directory, directly and through a symlink (npm link, npx). */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'

const binPath = fileURLToPath(new URL('../../bin/billow.mjs', import.meta.url))
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string
}
const elsewhere = mkdtempSync(join(tmpdir(), 'billow-bin-'))
after(() => rmSync(elsewhere, { recursive: true, force: true }))

const billow = (command: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(command, args, {
    cwd: elsewhere,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: elsewhere, ...env },
  })

test('runs from another directory', () => {
  const result = billow(process.execPath, [binPath, '--version'])
  assert.equal(result.status, 0, result.stderr)
  assert.equal(result.stdout.trim(), version)
})

test('runs through a symlink, as npm link and npx install it', () => {
  const link = join(elsewhere, 'billow')
  symlinkSync(binPath, link)
  const result = billow(link, ['--version'])
  assert.equal(result.status, 0, result.stderr)
  assert.equal(result.stdout.trim(), version)
})

test('exit codes: 2 for usage, 1 when no server is found', () => {
  assert.equal(billow(process.execPath, [binPath, 'groups', 'create']).status, 2)
  const noServer = billow(process.execPath, [binPath, 'groups', 'list', '--data', elsewhere])
  assert.equal(noServer.status, 1)
  assert.match(noServer.stderr, /no Billow server found in .*: start one with `billow serve` or set BILLOW_URL/)
})
