/**
 * The CLI against a stub API on loopback: what each command sends (method, path, query, body,
 * token) and how it shows answers and errors. The real server is covered by test/cli.test.ts.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, beforeEach, describe, test } from 'node:test'
import { runCli, type StubAnswer, type StubApi, type StubRequest, startStubApi } from './testing/stub-api.ts'

const NOW_MS = Date.UTC(2025, 10, 23, 12, 0, 0)

const group = {
  id: 'asg-1',
  name: 'web',
  state: 'Active',
  minSize: 1,
  maxSize: 4,
  desiredCapacity: 2,
  defaultCooldownSeconds: 300,
  zones: [{ zoneId: 'zone-a', subnet: '127.20.1.0/24' }],
  removalPolicies: ['OldestInstance'],
  launchConfigurationId: 'asc-1',
  cooldownUntilMs: NOW_MS + 90_000,
  retryAfterMs: null,
  consecutiveFailures: 0,
  createdAtMs: NOW_MS - 600_000,
  instanceCount: 2,
  inServiceCount: 1,
  queueLength: 0,
  inCooldown: true,
}

const activity = {
  id: 'asa-1',
  groupId: 'asg-1',
  request: { kind: 'SetDesiredCapacity', desiredCapacity: 3, honorCooldown: false },
  status: 'Queued',
  cause: 'a user set the desired capacity to 3',
  description: 'Set desired capacity',
  plan: null,
  progressPercent: 0,
  statusMessage: null,
  createdAtMs: NOW_MS,
  startedAtMs: null,
  endedAtMs: null,
}

let api: StubApi
let answer: (request: StubRequest) => StubAnswer = () => ({ json: {} })
const workDir = mkdtempSync(join(tmpdir(), 'billow-cli-test-'))

before(async () => {
  api = await startStubApi((request) => answer(request))
})
after(async () => {
  await api.close()
  rmSync(workDir, { recursive: true, force: true })
})
beforeEach(() => {
  api.requests.length = 0
})

const cli = (...args: string[]) =>
  runCli(args, { env: { BILLOW_URL: api.url, BILLOW_TOKEN: 'tok-secret' }, cwd: workDir, nowMs: NOW_MS })

const only = (): StubRequest => {
  assert.equal(api.requests.length, 1)
  return api.requests[0] as StubRequest
}

describe('requests', () => {
  test('images register resolves the directory and splits the command', async () => {
    answer = () => ({
      status: 201,
      json: { id: 'img-1', name: 'demo', directory: '/x', command: [], healthPath: null },
    })
    const result = await cli(
      'images',
      'register',
      '--name',
      'demo',
      '--dir',
      'app',
      '--command',
      `node "my server.mjs"`,
    )
    assert.equal(result.code, 0, result.stderr)
    const request = only()
    assert.equal(request.method, 'POST')
    assert.equal(request.path, '/v1/images')
    assert.equal(request.authorization, 'Bearer tok-secret')
    assert.deepEqual(request.body, {
      name: 'demo',
      directory: join(workDir, 'app'),
      command: ['node', 'my server.mjs'],
    })
  })

  test('lc create sends env, tags, port and user data from a file', async () => {
    writeFileSync(join(workDir, 'user-data.sh'), 'echo hi\n')
    answer = () => ({ status: 201, json: { id: 'asc-1', env: {}, tags: {}, userData: null } })
    const result = await cli(
      ...['lc', 'create', '--name', 'web', '--image', 'img-1', '--type', 'bl.small'],
      ...['--user-data-file', 'user-data.sh', '--env', 'A=1', '--env', 'B=x=y', '--port', '8080', '--tag', 'team=ops'],
    )
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(only().body, {
      name: 'web',
      imageId: 'img-1',
      instanceType: 'bl.small',
      userData: 'echo hi\n',
      env: { A: '1', B: 'x=y' },
      appPort: 8080,
      tags: { team: 'ops' },
    })
  })

  test('groups create maps flags to the body; --initial is --desired', async () => {
    answer = () => ({ status: 201, json: group })
    const result = await cli(
      ...['groups', 'create', '--name', 'web', '--min', '0', '--max', '4', '--initial', '2', '--cooldown', '60'],
      ...['--lc', 'asc-1', '--zone', 'zone-a=127.20.1.0/24', '--zone', 'zone-b=127.20.2.0/24'],
      ...['--removal-policy', 'NewestInstance', '--removal-policy', 'OldestInstance'],
    )
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(only().body, {
      name: 'web',
      minSize: 0,
      maxSize: 4,
      desiredCapacity: 2,
      defaultCooldownSeconds: 60,
      launchConfigurationId: 'asc-1',
      zones: [
        { zoneId: 'zone-a', subnet: '127.20.1.0/24' },
        { zoneId: 'zone-b', subnet: '127.20.2.0/24' },
      ],
      removalPolicies: ['NewestInstance', 'OldestInstance'],
    })
    assert.match(result.stdout, /in cooldown until .* \(1m30s left\)/)
  })

  test('groups modify sends only what was given; --clear-desired sends null', async () => {
    answer = () => ({ json: group })
    await cli('groups', 'modify', 'asg-1', '--max', '6', '--clear-desired')
    const request = only()
    assert.equal(request.method, 'PATCH')
    assert.equal(request.path, '/v1/groups/asg-1')
    assert.deepEqual(request.body, { maxSize: 6, desiredCapacity: null })
  })

  test('activity commands send their bodies and show how to follow', async () => {
    answer = () => ({ status: 202, json: activity })
    const cases: [string[], string, unknown][] = [
      [
        ['groups', 'set-desired', 'asg-1', '3'],
        '/v1/groups/asg-1/desired-capacity',
        { desiredCapacity: 3, honorCooldown: false },
      ],
      [
        ['groups', 'attach', 'asg-1', 'i-1', 'i-2'],
        '/v1/groups/asg-1/attach-instances',
        { instanceIds: ['i-1', 'i-2'] },
      ],
      [
        ['groups', 'detach', 'asg-1', 'i-1', '--keep-desired'],
        '/v1/groups/asg-1/detach-instances',
        { instanceIds: ['i-1'], decrementDesired: false },
      ],
      [
        ['groups', 'remove-instances', 'asg-1', 'i-1'],
        '/v1/groups/asg-1/remove-instances',
        { instanceIds: ['i-1'], terminateAttached: false },
      ],
      [
        ['rules', 'execute', 'ari:acs:ess:local:1:scalingrule/asr-1', '--ignore-cooldown'],
        '/v1/rules/ari%3Aacs%3Aess%3Alocal%3A1%3Ascalingrule%2Fasr-1/execute',
        { ignoreCooldown: true },
      ],
    ]
    for (const [args, path, body] of cases) {
      api.requests.length = 0
      const result = await cli(...args)
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`)
      const request = only()
      assert.equal(request.method, 'POST')
      assert.equal(new URL(request.path, 'http://x').pathname, new URL(path, 'http://x').pathname, args.join(' '))
      assert.deepEqual(request.body, body, args.join(' '))
      assert.match(result.stdout, /follow it: billow activities wait asa-1/)
    }
  })

  test('rules create reads a negative value', async () => {
    answer = () => ({ status: 201, json: { id: 'asr-1', ari: 'ari:x', cooldownSeconds: null } })
    const result = await cli(
      ...['rules', 'create', '--group', 'asg-1', '--name', 'in', '--type', 'QuantityChangeInCapacity', '--value', '-1'],
    )
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(only().body, {
      groupId: 'asg-1',
      name: 'in',
      adjustmentType: 'QuantityChangeInCapacity',
      adjustmentValue: -1,
    })
  })

  test('list filters go in the query; delete --force too', async () => {
    answer = (request) => ({ json: request.method === 'DELETE' ? undefined : { instances: [], activities: [] } })
    await cli('instances', 'list', '--group', 'asg-1', '--all')
    assert.deepEqual(only().query, { groupId: 'asg-1', all: 'true' })
    api.requests.length = 0
    await cli('activities', 'list')
    assert.deepEqual(only().query, { limit: '20' })
    api.requests.length = 0
    await cli('groups', 'delete', 'asg-1', '--force')
    assert.deepEqual([only().method, only().path, only().query], ['DELETE', '/v1/groups/asg-1', { force: 'true' }])
  })

  test('tokens create prints the secret once, with a warning', async () => {
    answer = () => ({
      status: 201,
      json: { token: { id: 'tok-1', name: 'ci', scope: 'read-only', createdAtMs: NOW_MS }, secret: 's3cret' },
    })
    const result = await cli('tokens', 'create', '--name', 'ci', '--read-only')
    assert.deepEqual(only().body, { name: 'ci', scope: 'read-only' })
    assert.match(result.stdout, /secret\s+s3cret/)
    assert.match(result.stderr, /not .*again|cannot show it again/)
  })
})

describe('output', () => {
  test('lists are tables; --json is the raw response', async () => {
    answer = () => ({ json: { groups: [group] } })
    const table = await cli('groups', 'list')
    const [header, row] = table.stdout.split('\n')
    assert.match(header ?? '', /^ID\s+NAME\s+STATE\s+MIN\s+MAX\s+DESIRED\s+IN SERVICE/)
    assert.match(row ?? '', /^asg-1\s+web\s+Active\s+1\s+4\s+2\s+1\/2\s+0\s+1m30s left\s+asc-1\s+zone-a\s+10m00s$/)
    const json = await cli('groups', 'list', '--json')
    assert.deepEqual(JSON.parse(json.stdout), { groups: [group] })
  })

  test('groups describe shows the group, its instances and recent activities', async () => {
    answer = (request) => {
      if (request.path === '/v1/groups/asg-1') return { json: group }
      if (request.path === '/v1/instances') return { json: { instances: [] } }
      return { json: { activities: [{ ...activity, status: 'Successful', progressPercent: 100 }] } }
    }
    const result = await cli('groups', 'describe', 'asg-1')
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /desired capacity\s+2/)
    assert.match(result.stdout, /Instances:\n {2}none/)
    assert.match(result.stdout, /asa-1\s+asg-1\s+Successful\s+100%/)
    const activityQuery = api.requests.find((request) => request.path === '/v1/activities')?.query
    assert.deepEqual(activityQuery, { groupId: 'asg-1', limit: '5' })
  })

  test('instance logs print as they come', async () => {
    answer = () => ({ text: 'line 1\nline 2\n' })
    const result = await cli('instances', 'logs', 'i-1', '--bytes', '100')
    assert.equal(result.stdout, 'line 1\nline 2\n')
    assert.deepEqual(only().query, { maxBytes: '100' })
  })
})

describe('errors', () => {
  test('an API error prints its code and message and exits 1', async () => {
    answer = () => ({
      status: 400,
      json: { error: { code: 'IncorrectCapacity.MaxSize', message: 'maxSize must be ≥ minSize', field: 'maxSize' } },
    })
    const result = await cli('groups', 'modify', 'asg-1', '--max', '0')
    assert.equal(result.code, 1)
    assert.equal(result.stderr, 'error IncorrectCapacity.MaxSize: maxSize must be ≥ minSize (field: maxSize)\n')
  })

  test('a non-JSON error body is quoted', async () => {
    answer = () => ({ status: 502, text: 'Bad Gateway' })
    const result = await cli('groups', 'list')
    assert.equal(result.code, 1)
    assert.equal(result.stderr, 'error HTTP502: Bad Gateway\n')
  })

  test('usage errors exit 2 and send nothing', async () => {
    const runs = [
      await cli('groups', 'create', '--name', 'x'),
      await cli('groups', 'create', ...['--name', 'x', '--min', '0', '--max', '1', '--lc', 'a', '--zone', 'zone-a']),
      await cli('groups', 'modify', 'asg-1'),
      await cli('instances', 'run'),
      await cli('rules', 'create', '--group', 'g', '--name', 'n', '--type', 'Bogus', '--value', '1'),
      await cli('images', 'register', '--name', 'n', '--dir', '.', '--command', '"unterminated'),
      await cli('no-such-command'),
    ]
    for (const result of runs) assert.equal(result.code, 2, result.stderr)
    assert.equal(api.requests.length, 0)
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
