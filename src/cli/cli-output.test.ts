/** How the CLI shows answers and errors, and its exit codes, against a stub API. */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { activity, group, useStubbedCli } from './testing/fixtures.ts'
import { runCli, startStubApi } from './testing/stub-api.ts'

const stub = useStubbedCli()

describe('output', () => {
  test('lists are tables; --json is the raw response', async () => {
    stub.answer = () => ({ json: { groups: [group] } })
    const table = await stub.cli('groups', 'list')
    const [header, row] = table.stdout.split('\n')
    assert.match(header ?? '', /^ID\s+NAME\s+STATE\s+MIN\s+MAX\s+DESIRED\s+IN SERVICE/)
    assert.match(row ?? '', /^asg-1\s+web\s+Active\s+1\s+4\s+2\s+1\/2\s+0\s+1m30s left\s+asc-1\s+zone-a\s+10m00s$/)
    const json = await stub.cli('groups', 'list', '--json')
    assert.deepEqual(JSON.parse(json.stdout), { groups: [group] })
  })

  test('groups describe shows the group, its instances and recent activities', async () => {
    stub.answer = (request) => {
      if (request.path === '/v1/groups/asg-1') return { json: group }
      if (request.path === '/v1/instances') return { json: { instances: [] } }
      return { json: { activities: [{ ...activity, status: 'Successful', progressPercent: 100 }] } }
    }
    const result = await stub.cli('groups', 'describe', 'asg-1')
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /desired capacity\s+2/)
    assert.match(result.stdout, /Instances:\n {2}none/)
    assert.match(result.stdout, /asa-1\s+asg-1\s+Successful\s+100%/)
    const activityQuery = stub.api().requests.find((request) => request.path === '/v1/activities')?.query
    assert.deepEqual(activityQuery, { groupId: 'asg-1', limit: '5' })
  })

  test('instance logs print as they come', async () => {
    stub.answer = () => ({ text: 'line 1\nline 2\n' })
    const result = await stub.cli('instances', 'logs', 'i-1', '--bytes', '100')
    assert.equal(result.stdout, 'line 1\nline 2\n')
    assert.deepEqual(stub.only().query, { maxBytes: '100' })
  })
})

describe('errors', () => {
  test('an API error prints its code and message and exits 1', async () => {
    stub.answer = () => ({
      status: 400,
      json: { error: { code: 'IncorrectCapacity.MaxSize', message: 'maxSize must be ≥ minSize', field: 'maxSize' } },
    })
    const result = await stub.cli('groups', 'modify', 'asg-1', '--max', '0')
    assert.equal(result.code, 1)
    assert.equal(result.stderr, 'error IncorrectCapacity.MaxSize: maxSize must be ≥ minSize (field: maxSize)\n')
  })

  test('a non-JSON error body is quoted', async () => {
    stub.answer = () => ({ status: 502, text: 'Bad Gateway' })
    const result = await stub.cli('groups', 'list')
    assert.equal(result.code, 1)
    assert.equal(result.stderr, 'error HTTP502: Bad Gateway\n')
  })

  test('usage errors exit 2 and send nothing', async () => {
    const runs = [
      await stub.cli('groups', 'create', '--name', 'x'),
      await stub.cli(
        'groups',
        'create',
        ...['--name', 'x', '--min', '0', '--max', '1', '--lc', 'a', '--zone', 'zone-a'],
      ),
      await stub.cli('groups', 'modify', 'asg-1'),
      await stub.cli('instances', 'run'),
      await stub.cli('rules', 'create', '--group', 'g', '--name', 'n', '--type', 'Bogus', '--value', '1'),
      await stub.cli('images', 'register', '--name', 'n', '--dir', '.', '--command', '"unterminated'),
      await stub.cli('no-such-command'),
    ]
    for (const result of runs) assert.equal(result.code, 2, result.stderr)
    assert.equal(stub.api().requests.length, 0)
  })

  test('no server found: exit 1 with the hint', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'billow-cli-empty-'))
    const result = await runCli(['groups', 'list', '--data', dataDir], { env: {} })
    rmSync(dataDir, { recursive: true, force: true })
    assert.equal(result.code, 1)
    assert.equal(
      result.stderr,
      `error: no Billow server found in ${dataDir}: start one with \`billow serve\` or set BILLOW_URL\n`,
    )
  })

  test('an unreachable server is a connection error', async () => {
    // A port that was just free: nothing listens there (fetch refuses well-known ports like 1).
    const gone = await startStubApi(() => ({}))
    await gone.close()
    const result = await runCli(['groups', 'list'], { env: { BILLOW_URL: gone.url } })
    assert.equal(result.code, 1)
    assert.equal(
      result.stderr,
      `error: cannot reach the Billow server at ${gone.url}: connection refused (is \`billow serve\` running?)\n`,
    )
  })
})
