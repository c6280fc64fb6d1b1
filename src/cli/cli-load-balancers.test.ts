/** `billow lb` and a group's attachments: what they send, and how they show the answers, on a stub API. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { group, NOW_MS, useStubbedCli } from './testing/fixtures.ts'

const stub = useStubbedCli()

const loadBalancer = {
  id: 'lb-1',
  name: 'front',
  driver: 'builtin',
  listeners: [
    { protocol: 'HTTP', host: '127.0.0.1', port: 8000 },
    { protocol: 'TCP', host: '127.0.0.2', port: 9000 },
  ],
  algorithm: 'LeastConnections',
  healthCheck: {
    type: 'HTTP',
    path: '/health',
    expectedStatusMin: 200,
    expectedStatusMax: 299,
    intervalSeconds: 5,
    timeoutSeconds: 2,
    healthyThreshold: 2,
    unhealthyThreshold: 3,
  },
  drainSeconds: 15,
  createdAtMs: NOW_MS - 120_000,
  groupIds: ['asg-1'],
  stats: {
    listeners: [
      {
        protocol: 'HTTP',
        port: 8000,
        requestsPerSecond: 12.345,
        activeConnections: 3,
        latencyP50Ms: 4.25,
        latencyP99Ms: 180.4,
        errorRatePercent: 0.5,
      },
      {
        protocol: 'TCP',
        port: 9000,
        requestsPerSecond: 0,
        activeConnections: 0,
        latencyP50Ms: null,
        latencyP99Ms: null,
        errorRatePercent: 0,
      },
    ],
    backends: [
      { instanceId: 'i-1', health: 'healthy', activeConnections: 2, requestsTotal: 120, draining: false },
      { instanceId: 'i-2', health: 'unhealthy', activeConnections: 1, requestsTotal: 7, draining: true },
    ],
  },
}

const instance = {
  id: 'i-1',
  groupId: 'asg-1',
  state: 'InService',
  health: 'Healthy',
  protected: false,
  joinedBy: 'AutoCreated',
  launchConfigurationId: 'asc-1',
  imageId: 'img-1',
  instanceType: 'bl.micro',
  zoneId: 'zone-a',
  privateIp: '127.20.1.5',
  port: 8080,
  clientToken: 'asa-1#0',
  activityId: 'asa-1',
  removalAction: null,
  removalStartedAtMs: null,
  limitsEnforced: true,
  limitsNote: null,
  statusReason: null,
  createdAtMs: NOW_MS - 60_000,
  inServiceAtMs: NOW_MS - 50_000,
  terminatedAtMs: null,
  registeredLoadBalancerIds: ['lb-1', 'lb-2'],
  allowlistedDatabaseIds: ['db-1'],
}

describe('lb requests', () => {
  test('create maps listeners, algorithm, a whole health check and the drain', async () => {
    stub.answer = () => ({ status: 201, json: loadBalancer })
    const result = await stub.cli(
      ...['lb', 'create', '--name', 'front', '--driver', 'haproxy', '--listener', 'http:8000'],
      ...['--listener', 'TCP:127.0.0.2:9000', '--algorithm', 'LeastConnections'],
      ...['--health-check', 'http:/health:200-299', '--interval', '5', '--timeout', '2', '--drain', '15'],
    )
    assert.equal(result.code, 0, result.stderr)
    const request = stub.only()
    assert.deepEqual([request.method, request.path], ['POST', '/v1/load-balancers'])
    assert.deepEqual(request.body, {
      name: 'front',
      driver: 'haproxy',
      listeners: [
        { protocol: 'HTTP', port: 8000 },
        { protocol: 'TCP', host: '127.0.0.2', port: 9000 },
      ],
      algorithm: 'LeastConnections',
      // The thresholds not given are the server's defaults: the API takes a health check whole.
      healthCheck: { ...loadBalancer.healthCheck, healthyThreshold: 2, unhealthyThreshold: 3 },
      drainSeconds: 15,
    })
    assert.match(result.stdout, /^id\s+lb-1$/m)
  })

  test('create without health check flags leaves the check to the server', async () => {
    stub.answer = () => ({ status: 201, json: loadBalancer })
    const result = await stub.cli('lb', 'create', '--name', 'front', '--listener', 'HTTP:8000')
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(stub.only().body, { name: 'front', listeners: [{ protocol: 'HTTP', port: 8000 }] })
  })

  test('create with a threshold alone sends the default check with it', async () => {
    stub.answer = () => ({ status: 201, json: loadBalancer })
    await stub.cli('load-balancers', 'create', '--name', 'front', '--listener', 'HTTP:8000', '--unhealthy', '5')
    assert.deepEqual((stub.only().body as { healthCheck: unknown }).healthCheck, {
      type: 'HTTP',
      path: '/',
      expectedStatusMin: 200,
      expectedStatusMax: 399,
      intervalSeconds: 2,
      timeoutSeconds: 1,
      healthyThreshold: 2,
      unhealthyThreshold: 5,
    })
  })

  test('modify of the health check reads the current one and changes only what was given', async () => {
    stub.answer = () => ({ json: loadBalancer })
    const result = await stub.cli('lb', 'modify', 'lb-1', '--health-check', 'tcp', '--healthy', '4')
    assert.equal(result.code, 0, result.stderr)
    const [read, write] = stub.api().requests
    assert.deepEqual([read?.method, read?.path], ['GET', '/v1/load-balancers/lb-1'])
    assert.deepEqual([write?.method, write?.path], ['PATCH', '/v1/load-balancers/lb-1'])
    assert.deepEqual(write?.body, {
      healthCheck: { type: 'TCP', intervalSeconds: 5, timeoutSeconds: 2, healthyThreshold: 4, unhealthyThreshold: 3 },
    })
  })

  test('modify of other fields is one PATCH; given listeners replace all', async () => {
    stub.answer = () => ({ json: loadBalancer })
    await stub.cli('lb', 'modify', 'lb-1', '--name', 'edge', '--listener', 'HTTP:8001', '--drain', '0')
    const request = stub.only()
    assert.equal(request.method, 'PATCH')
    assert.deepEqual(request.body, { name: 'edge', listeners: [{ protocol: 'HTTP', port: 8001 }], drainSeconds: 0 })
  })

  test('delete', async () => {
    stub.answer = () => ({ status: 204 })
    const result = await stub.cli('lb', 'delete', 'lb-1')
    assert.equal(result.stdout, 'deleted lb-1\n')
    assert.deepEqual([stub.only().method, stub.only().path], ['DELETE', '/v1/load-balancers/lb-1'])
  })

  test('usage errors exit 2 and send nothing', async () => {
    const runs = [
      await stub.cli('lb', 'create', '--name', 'x'),
      await stub.cli('lb', 'create', '--name', 'x', '--listener', 'FTP:21'),
      await stub.cli('lb', 'create', '--name', 'x', '--listener', 'HTTP:8000', '--driver', 'nginx'),
      await stub.cli('lb', 'create', '--name', 'x', '--listener', 'HTTP:8000', '--algorithm', 'Random'),
      await stub.cli('lb', 'create', '--name', 'x', '--listener', 'HTTP:8000', '--health-check', 'http:health'),
      await stub.cli('lb', 'create', '--name', 'x', '--listener', 'HTTP:8000', '--interval', '0'),
      await stub.cli('lb', 'modify', 'lb-1'),
      await stub.cli('lb', 'modify', 'lb-1', '--driver', 'haproxy'),
    ]
    for (const result of runs) assert.equal(result.code, 2, result.stderr)
    assert.equal(stub.api().requests.length, 0)
  })
})

describe('lb output', () => {
  test('list is a table with listeners and healthy backends; --json is the raw response', async () => {
    stub.answer = () => ({ json: { loadBalancers: [loadBalancer, { ...loadBalancer, id: 'lb-2', stats: null }] } })
    const result = await stub.cli('lb', 'list')
    const [header, first, second] = result.stdout.split('\n')
    assert.match(header ?? '', /^ID\s+NAME\s+DRIVER\s+LISTENERS\s+ALGORITHM\s+HEALTH CHECK\s+GROUPS\s+HEALTHY\s+AGE$/)
    assert.match(
      first ?? '',
      /^lb-1\s+front\s+builtin\s+HTTP:127\.0\.0\.1:8000,TCP:127\.0\.0\.2:9000\s+LeastConnections\s+http:\/health\s+1\s+1\/2\s+2m00s$/,
    )
    assert.match(second ?? '', /^lb-2\s.*\s1\s+-\s+2m00s$/)
    const json = await stub.cli('lb', 'list', '--json')
    assert.equal(JSON.parse(json.stdout).loadBalancers[0].id, 'lb-1')
    stub.answer = () => ({ json: { loadBalancers: [] } })
    assert.match((await stub.cli('lb', 'list')).stdout, /no load balancers/)
  })

  test('describe shows the configuration, the groups, and traffic per listener and backend', async () => {
    stub.answer = () => ({ json: loadBalancer })
    const result = await stub.cli('lb', 'describe', 'lb-1')
    assert.equal(result.code, 0, result.stderr)
    const out = result.stdout
    assert.match(out, /^listeners\s+HTTP:127\.0\.0\.1:8000, TCP:127\.0\.0\.2:9000$/m)
    assert.match(
      out,
      /^health check\s+http:\/health:200-299 every 5s, timeout 2s, healthy after 2, unhealthy after 3$/m,
    )
    assert.match(out, /^drain\s+15s$/m)
    assert.match(out, /^groups\s+asg-1$/m)
    assert.match(out, /Listeners:\nLISTENER\s+REQUESTS\/S\s+ACTIVE CONNS\s+P50\s+P99\s+ERRORS\n/)
    assert.match(out, /^HTTP:127\.0\.0\.1:8000\s+12\.3\s+3\s+4\.3ms\s+180ms\s+0\.5%$/m)
    assert.match(out, /^TCP:127\.0\.0\.2:9000\s+0\.0\s+0\s+-\s+-\s+0\.0%$/m)
    assert.match(out, /Backends:\nINSTANCE\s+HEALTH\s+ACTIVE CONNS\s+REQUESTS\s+DRAINING\n/)
    assert.match(out, /^i-1\s+healthy\s+2\s+120\s+no$/m)
    assert.match(out, /^i-2\s+unhealthy\s+1\s+7\s+yes$/m)
    const json = await stub.cli('lb', 'describe', 'lb-1', '--json')
    assert.deepEqual(JSON.parse(json.stdout), loadBalancer)
  })

  test('describe without figures says so', async () => {
    stub.answer = () => ({ json: { ...loadBalancer, groupIds: [], stats: null } })
    const result = await stub.cli('lb', 'describe', 'lb-1')
    assert.match(result.stdout, /^groups\s+none attach it$/m)
    assert.match(result.stdout, /Traffic: not available \(the data plane does not answer\)\n$/)
  })
})

describe('group attachments', () => {
  const attached = {
    ...group,
    loadBalancers: [
      { loadBalancerId: 'lb-1', port: null, weight: 10 },
      { loadBalancerId: 'lb-2', port: 8080, weight: 5 },
    ],
    databaseIds: ['db-1'],
    healthCheckType: 'LoadBalancer',
    healthCheckGracePeriodSeconds: 30,
  }

  test('attach and detach send their paths and bodies and show the group', async () => {
    stub.answer = () => ({ json: attached })
    const cases: [string[], string, string, unknown][] = [
      [
        ['groups', 'attach-lb', 'asg-1', 'lb-2', '--port', '8080', '--weight', '5'],
        'POST',
        '/v1/groups/asg-1/load-balancers',
        { loadBalancerId: 'lb-2', port: 8080, weight: 5 },
      ],
      [['groups', 'attach-lb', 'asg-1', 'lb-1'], 'POST', '/v1/groups/asg-1/load-balancers', { loadBalancerId: 'lb-1' }],
      [['groups', 'detach-lb', 'asg-1', 'lb-1'], 'DELETE', '/v1/groups/asg-1/load-balancers/lb-1', undefined],
      [['groups', 'attach-db', 'asg-1', 'db-1'], 'POST', '/v1/groups/asg-1/databases', { databaseId: 'db-1' }],
      [['groups', 'detach-db', 'asg-1', 'db-1'], 'DELETE', '/v1/groups/asg-1/databases/db-1', undefined],
    ]
    for (const [args, method, path, body] of cases) {
      stub.api().requests.length = 0
      const result = await stub.cli(...args)
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`)
      const request = stub.only()
      assert.deepEqual([request.method, request.path, request.body], [method, path, body], args.join(' '))
      assert.match(result.stdout, /^load balancers\s+lb-1 \(app port, weight 10\), lb-2 \(port 8080, weight 5\)$/m)
    }
  })

  test('groups create and modify take --lb, --db, --health-check-type and --grace-period', async () => {
    stub.answer = () => ({ status: 201, json: attached })
    const created = await stub.cli(
      ...[
        'groups',
        'create',
        '--name',
        'web',
        '--min',
        '0',
        '--max',
        '2',
        '--lc',
        'asc-1',
        '--zone',
        'zone-a=127.20.1.0/24',
      ],
      ...['--lb', 'lb-1', '--lb', 'lb-2:8080:5', '--lb', 'lb-3::7', '--db', 'db-1', '--db', 'db-2'],
      ...['--health-check-type', 'LoadBalancer', '--grace-period', '30'],
    )
    assert.equal(created.code, 0, created.stderr)
    assert.deepEqual(stub.only().body, {
      name: 'web',
      minSize: 0,
      maxSize: 2,
      launchConfigurationId: 'asc-1',
      zones: [{ zoneId: 'zone-a', subnet: '127.20.1.0/24' }],
      loadBalancers: [
        { loadBalancerId: 'lb-1' },
        { loadBalancerId: 'lb-2', port: 8080, weight: 5 },
        { loadBalancerId: 'lb-3', weight: 7 },
      ],
      databaseIds: ['db-1', 'db-2'],
      healthCheckType: 'LoadBalancer',
      healthCheckGracePeriodSeconds: 30,
    })
    stub.api().requests.length = 0
    await stub.cli('groups', 'modify', 'asg-1', '--lb', 'lb-9', '--grace-period', '0')
    assert.deepEqual(stub.only().body, {
      loadBalancers: [{ loadBalancerId: 'lb-9' }],
      healthCheckGracePeriodSeconds: 0,
    })
  })

  test('bad attachment flags exit 2 and send nothing', async () => {
    const runs = [
      await stub.cli('groups', 'modify', 'asg-1', '--lb', 'lb-1:http'),
      await stub.cli('groups', 'modify', 'asg-1', '--db', 'db-1', '--db', 'db-1'),
      await stub.cli('groups', 'modify', 'asg-1', '--health-check-type', 'ELB'),
      await stub.cli('groups', 'attach-lb', 'asg-1', 'lb-1', '--weight', 'heavy'),
      await stub.cli('groups', 'attach-db', 'asg-1'),
    ]
    for (const result of runs) assert.equal(result.code, 2, result.stderr)
    assert.equal(stub.api().requests.length, 0)
  })

  test('groups describe shows the balancers, databases and health check type', async () => {
    stub.answer = (request) => {
      if (request.path === '/v1/groups/asg-1') return { json: attached }
      if (request.path === '/v1/instances') return { json: { instances: [instance] } }
      return { json: { activities: [] } }
    }
    const result = await stub.cli('groups', 'describe', 'asg-1')
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^databases\s+db-1$/m)
    assert.match(result.stdout, /^health check type\s+LoadBalancer \(grace period 30s\)$/m)
    assert.match(result.stdout, /\nID\s+GROUP\s+ZONE\s+PRIVATE IP\s+PORT\s+STATE\s+HEALTH\s+LOAD BALANCERS\s+PROTECTED/)
    assert.match(
      result.stdout,
      /^i-1\s+asg-1\s+zone-a\s+127\.20\.1\.5\s+8080\s+InService\s+Healthy\s+lb-1,lb-2\s+no\s/m,
    )
  })

  test('instances describe shows the balancers and database allowlists', async () => {
    stub.answer = () => ({ json: instance })
    const result = await stub.cli('instances', 'describe', 'i-1')
    assert.match(result.stdout, /^load balancers\s+lb-1, lb-2$/m)
    assert.match(result.stdout, /^database allowlists\s+db-1$/m)
    stub.answer = () => ({ json: { ...instance, registeredLoadBalancerIds: [], allowlistedDatabaseIds: [] } })
    const none = await stub.cli('instances', 'describe', 'i-1')
    assert.match(none.stdout, /^load balancers\s+-$/m)
  })
})
