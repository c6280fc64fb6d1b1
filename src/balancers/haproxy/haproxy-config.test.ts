/** The configuration file as text: what haproxy is told for each listener, algorithm and check. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { InstanceId, LoadBalancerId } from '../../core/ids.ts'
import type { LoadBalancer } from '../../core/load-balancer.ts'
import { configSafePath, renderConfig, type ServerEntry, serverArguments } from './haproxy-config.ts'

const loadBalancer: LoadBalancer = {
  id: 'lb-config' as LoadBalancerId,
  name: 'config',
  driver: 'haproxy',
  listeners: [
    { protocol: 'HTTP', host: '127.69.0.1', port: 8080 },
    { protocol: 'TCP', host: '127.69.0.1', port: 5432 },
  ],
  algorithm: 'WeightedRoundRobin',
  healthCheck: {
    type: 'HTTP',
    path: '/health',
    expectedStatusMin: 200,
    expectedStatusMax: 399,
    intervalSeconds: 2,
    timeoutSeconds: 1,
    healthyThreshold: 2,
    unhealthyThreshold: 3,
  },
  drainSeconds: 30,
  createdAtMs: 0,
}

const server = (instanceId: string, draining = false): ServerEntry => ({
  instanceId: instanceId as InstanceId,
  address: '127.69.1.1',
  port: 9000,
  weight: 4,
  draining,
})

const paths = { adminSocket: '/state/lb-config/admin.sock', serverStateFile: '/state/lb-config/servers.state' }

/** The lines of one section, from its header to the next empty line. */
function section(config: string, header: string): string[] {
  const lines = config.split('\n')
  const start = lines.indexOf(header)
  assert.ok(start >= 0, `no section ${header}`)
  const end = lines.indexOf('', start)
  return lines.slice(start + 1, end).map((line) => line.trim())
}

test('an HTTP listener is an http frontend with X-Forwarded-For and a backend with the HTTP check', () => {
  const config = renderConfig(loadBalancer, [server('i-a'), server('i-b', true)], paths)
  const frontend = section(config, 'frontend listener-http-127.69.0.1-8080')
  assert.ok(frontend.includes('mode http'))
  assert.ok(frontend.includes('bind 127.69.0.1:8080'))
  assert.ok(frontend.includes('option forwardfor'))
  assert.ok(frontend.includes('default_backend backends-http-127.69.0.1-8080'))
  const backend = section(config, 'backend backends-http-127.69.0.1-8080')
  assert.ok(backend.includes('balance roundrobin'))
  assert.ok(backend.includes('option httpchk GET /health'))
  assert.ok(backend.includes('http-check expect status 200-399'))
  assert.ok(backend.includes('timeout check 1000ms'))
  assert.ok(backend.includes('server i-a 127.69.1.1:9000 weight 4 check inter 2000ms fall 3 rise 2'))
  assert.ok(backend.includes('server i-b 127.69.1.1:9000 weight 4 check inter 2000ms fall 3 rise 2 disabled'))
})

test('a TCP listener is a tcp frontend without X-Forwarded-For; its backend gets the same servers', () => {
  const config = renderConfig(loadBalancer, [server('i-a')], paths)
  const frontend = section(config, 'frontend listener-tcp-127.69.0.1-5432')
  assert.ok(frontend.includes('mode tcp'))
  assert.ok(!frontend.includes('option forwardfor'))
  const backend = section(config, 'backend backends-tcp-127.69.0.1-5432')
  assert.ok(backend.includes('mode tcp'))
  assert.ok(backend.some((line) => line.startsWith('server i-a ')))
})

test('the global section gives the admin socket and the state file; no server is written without servers', () => {
  const config = renderConfig(loadBalancer, [], paths)
  const global = section(config, 'global')
  assert.ok(global.includes('stats socket /state/lb-config/admin.sock mode 600 level admin expose-fd listeners'))
  assert.ok(global.includes('server-state-file /state/lb-config/servers.state'))
  assert.ok(global.includes('noreuseport'))
  assert.ok(global.includes('hard-stop-after 35s'))
  assert.ok(!config.includes('  server '))
})

test('weights count only for WeightedRoundRobin; least connections is leastconn', () => {
  const leastConnections = { ...loadBalancer, algorithm: 'LeastConnections' as const }
  assert.match(serverArguments(leastConnections, server('i-a')), / weight 1 /)
  assert.match(serverArguments({ ...loadBalancer, algorithm: 'RoundRobin' }, server('i-a')), / weight 1 /)
  assert.match(serverArguments(loadBalancer, server('i-a')), / weight 4 /)
  assert.match(renderConfig(leastConnections, [], paths), /balance leastconn/)
})

test('a TCP check is a connect: no httpchk; one expected status is written alone', () => {
  const tcpCheck = { ...loadBalancer, healthCheck: { ...loadBalancer.healthCheck, type: 'TCP' as const } }
  assert.doesNotMatch(renderConfig(tcpCheck, [], paths), /httpchk/)
  const exact = { ...loadBalancer.healthCheck, expectedStatusMin: 204, expectedStatusMax: 204 }
  assert.match(renderConfig({ ...loadBalancer, healthCheck: exact }, [], paths), /http-check expect status 204\n/)
})

test("a health path cannot break out of its line: quotes, backslashes and '#' are percent-encoded", () => {
  assert.equal(configSafePath('/health?x=1&y=2'), '/health?x=1&y=2')
  assert.equal(configSafePath(`/a#b"c'd\\e`), '/a%23b%22c%27d%5Ce')
})
