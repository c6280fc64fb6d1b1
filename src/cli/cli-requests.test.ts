/** What each command sends: method, path, query, body and token, checked on a stub API. */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { activity, group, NOW_MS, useStubbedCli } from './testing/fixtures.ts'

const stub = useStubbedCli()

describe('requests', () => {
  test('images register resolves the directory and splits the command', async () => {
    stub.answer = () => ({
      status: 201,
      json: { id: 'img-1', name: 'demo', directory: '/x', command: [], healthPath: null },
    })
    const result = await stub.cli(
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
    const request = stub.only()
    assert.equal(request.method, 'POST')
    assert.equal(request.path, '/v1/images')
    assert.equal(request.authorization, 'Bearer tok-secret')
    assert.deepEqual(request.body, {
      name: 'demo',
      directory: join(stub.workDir, 'app'),
      command: ['node', 'my server.mjs'],
    })
  })

  test('lc create sends env, tags, port and user data from a file', async () => {
    writeFileSync(join(stub.workDir, 'user-data.sh'), 'echo hi\n')
    stub.answer = () => ({ status: 201, json: { id: 'asc-1', env: {}, tags: {}, userData: null } })
    const result = await stub.cli(
      ...['lc', 'create', '--name', 'web', '--image', 'img-1', '--type', 'bl.small'],
      ...['--user-data-file', 'user-data.sh', '--env', 'A=1', '--env', 'B=x=y', '--port', '8080', '--tag', 'team=ops'],
    )
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(stub.only().body, {
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
    stub.answer = () => ({ status: 201, json: group })
    const result = await stub.cli(
      ...['groups', 'create', '--name', 'web', '--min', '0', '--max', '4', '--initial', '2', '--cooldown', '60'],
      ...['--lc', 'asc-1', '--zone', 'zone-a=127.20.1.0/24', '--zone', 'zone-b=127.20.2.0/24'],
      ...['--removal-policy', 'NewestInstance', '--removal-policy', 'OldestInstance'],
    )
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(stub.only().body, {
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
    stub.answer = () => ({ json: group })
    await stub.cli('groups', 'modify', 'asg-1', '--max', '6', '--clear-desired')
    const request = stub.only()
    assert.equal(request.method, 'PATCH')
    assert.equal(request.path, '/v1/groups/asg-1')
    assert.deepEqual(request.body, { maxSize: 6, desiredCapacity: null })
  })

  test('activity commands send their bodies and show how to follow', async () => {
    stub.answer = () => ({ status: 202, json: activity })
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
      stub.api().requests.length = 0
      const result = await stub.cli(...args)
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`)
      const request = stub.only()
      assert.equal(request.method, 'POST')
      assert.equal(new URL(request.path, 'http://x').pathname, new URL(path, 'http://x').pathname, args.join(' '))
      assert.deepEqual(request.body, body, args.join(' '))
      assert.match(result.stdout, /follow it: billow activities wait asa-1/)
    }
  })

  test('rules create reads a negative value', async () => {
    stub.answer = () => ({ status: 201, json: { id: 'asr-1', ari: 'ari:x', cooldownSeconds: null } })
    const result = await stub.cli(
      ...['rules', 'create', '--group', 'asg-1', '--name', 'in', '--type', 'QuantityChangeInCapacity', '--value', '-1'],
    )
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(stub.only().body, {
      groupId: 'asg-1',
      name: 'in',
      adjustmentType: 'QuantityChangeInCapacity',
      adjustmentValue: -1,
    })
  })

  test('list filters go in the query; delete --force too', async () => {
    stub.answer = (request) =>
      request.method === 'DELETE'
        ? { status: 202, json: { group: { ...group, state: 'Deleting' } } }
        : { json: { instances: [], activities: [] } }
    await stub.cli('instances', 'list', '--group', 'asg-1', '--all')
    assert.deepEqual(stub.only().query, { groupId: 'asg-1', all: 'true' })
    stub.api().requests.length = 0
    await stub.cli('activities', 'list')
    assert.deepEqual(stub.only().query, { limit: '20' })
    stub.api().requests.length = 0
    const deleted = await stub.cli('groups', 'delete', 'asg-1', '--force')
    assert.equal(deleted.stdout, 'deleting asg-1: its instances are being removed\n')
    assert.deepEqual(
      [stub.only().method, stub.only().path, stub.only().query],
      ['DELETE', '/v1/groups/asg-1', { force: 'true' }],
    )
  })

  test('tokens create prints the secret once, with a warning', async () => {
    stub.answer = () => ({
      status: 201,
      json: { token: { id: 'tok-1', name: 'ci', scope: 'read-only', createdAtMs: NOW_MS }, secret: 's3cret' },
    })
    const result = await stub.cli('tokens', 'create', '--name', 'ci', '--read-only')
    assert.deepEqual(stub.only().body, { name: 'ci', scope: 'read-only' })
    assert.match(result.stdout, /secret\s+s3cret/)
    assert.match(result.stderr, /not .*again|cannot show it again/)
  })
})
