/**
 * The configuration file Billow writes for one load balancer's haproxy: the stats socket (the
 * runtime API), defaults, one frontend and one backend per listener, and the servers Billow knows
 * of. Servers are added and removed through the runtime API, never by rewriting this file; they
 * are written here only so that a reload (a listener change) or a cold start keeps them.
 */
import type { InstanceId } from '../../core/ids.ts'
import type { BalancingAlgorithm, HealthCheck, LoadBalancer } from '../../core/load-balancer.ts'
import { haproxyAddress, listenerNames } from './haproxy-names.ts'

/**
 * File descriptors one haproxy may use; it derives its connection limit (about half of it: a client
 * and a backend socket per connection) from this or from the system's limit, whichever is lower.
 * A bound on its memory (~30 KiB per connection) that never asks for more than the system gives.
 */
const FILE_DESCRIPTORS_MAX = 16_384
/** Requests logged into the in-memory ring that stats() reads, in bytes: a few thousand recent requests. */
export const REQUEST_LOG_BYTES = 512 * 1024
export const REQUEST_LOG_RING = 'requests'
/** Time a retiring haproxy (after a reload) gets beyond the drain time to finish its connections. */
const HARD_STOP_MARGIN_SECONDS = 5
/** Time to connect to a backend before trying again (another one, with redispatch), in milliseconds. */
const CONNECT_TIMEOUT_MS = 5_000
/** Idle time allowed on an HTTP connection, either side, in seconds. */
const HTTP_IDLE_TIMEOUT_SECONDS = 60
/** Idle time allowed on a TCP connection: L4 clients (databases, queues) keep quiet connections open. */
const TCP_IDLE_TIMEOUT_SECONDS = 3_600
/** Time a client gets to send a whole request head, and to send the next one on a kept-alive connection. */
const HTTP_REQUEST_TIMEOUT_SECONDS = 10
/** Time a request may wait for a free backend when every backend is at its limit. */
const QUEUE_TIMEOUT_SECONDS = 10
/** Attempts to connect to a backend before a request fails; after the first, another backend is tried. */
const CONNECT_RETRIES = 3

/** A server as the configuration and the runtime API describe it. */
export interface ServerEntry {
  readonly instanceId: InstanceId
  readonly address: string
  readonly port: number
  readonly weight: number
  /** A draining server is written in maintenance: no new requests; a retiring process finishes the old ones. */
  readonly draining: boolean
}

export interface ConfigPaths {
  readonly adminSocket: string
  readonly serverStateFile: string
}

/** Weights are the backend's only with WeightedRoundRobin; every other algorithm treats backends alike. */
export const effectiveWeight = (algorithm: BalancingAlgorithm, weight: number): number =>
  algorithm === 'WeightedRoundRobin' ? weight : 1

const milliseconds = (seconds: number): string => `${Math.round(seconds * 1000)}ms`

/**
 * The words after `server <name>` in the file, and after `add server <backend>/<name>` in the
 * runtime API (which takes a subset of the same keywords): address, weight and health check.
 */
export function serverArguments(
  loadBalancer: LoadBalancer,
  server: Omit<ServerEntry, 'draining'>,
  weight = effectiveWeight(loadBalancer.algorithm, server.weight),
): string {
  const check = loadBalancer.healthCheck
  return [
    haproxyAddress(server.address, server.port),
    `weight ${weight}`,
    `check inter ${milliseconds(check.intervalSeconds)}`,
    `fall ${check.unhealthyThreshold} rise ${check.healthyThreshold}`,
  ].join(' ')
}

/**
 * HAProxy's file syntax gives meaning to quotes, backslashes and '#'; a path is written with those
 * percent-encoded, which an HTTP server reads as the same path.
 */
export const configSafePath = (path: string): string =>
  path.replace(/["'\\#\s]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)

function healthCheckLines(check: HealthCheck): string[] {
  const lines = [`timeout check ${milliseconds(check.timeoutSeconds)}`]
  if (check.type === 'TCP') return lines // a server's `check` without httpchk is a TCP connect
  const statuses =
    check.expectedStatusMin === check.expectedStatusMax
      ? `${check.expectedStatusMin}`
      : `${check.expectedStatusMin}-${check.expectedStatusMax}`
  return [...lines, `option httpchk GET ${configSafePath(check.path)}`, `http-check expect status ${statuses}`]
}

const BALANCE: Record<BalancingAlgorithm, string> = {
  RoundRobin: 'roundrobin',
  WeightedRoundRobin: 'roundrobin',
  LeastConnections: 'leastconn',
}

/** Per request into the ring: accept time (epoch ms), frontend, status, active time, termination state. */
const HTTP_LOG_FORMAT = '"%Ts%ms %ft %ST %Ta %ts"'
/** TCP has no status; the session's whole duration stands for its latency. */
const TCP_LOG_FORMAT = '"%Ts%ms %ft - %Tt %ts"'

const HTTP_RETRY_LINES = [
  '  retry-on conn-failure empty-response',
  '  http-request disable-l7-retry unless METH_GET || METH_OPTIONS',
]

function listenerSections(loadBalancer: LoadBalancer, servers: readonly ServerEntry[]): string[] {
  return loadBalancer.listeners.flatMap((listener) => {
    const { frontend, backend } = listenerNames(listener)
    const http = listener.protocol === 'HTTP'
    const idle = `${http ? HTTP_IDLE_TIMEOUT_SECONDS : TCP_IDLE_TIMEOUT_SECONDS}s`
    return [
      `frontend ${frontend}`,
      `  mode ${http ? 'http' : 'tcp'}`,
      `  bind ${haproxyAddress(listener.host, listener.port)}`,
      `  timeout client ${idle}`,
      // After a reload, the retiring process answers the next request on an idle kept-alive connection
      // with "Connection: close" instead of closing it under a client that may be sending on it.
      ...(http ? ['  option forwardfor', '  option idle-close-on-response'] : []),
      `  log ring@${REQUEST_LOG_RING} local0 info`,
      `  log-format ${http ? HTTP_LOG_FORMAT : TCP_LOG_FORMAT}`,
      `  default_backend ${backend}`,
      '',
      `backend ${backend}`,
      `  mode ${http ? 'http' : 'tcp'}`,
      `  balance ${BALANCE[loadBalancer.algorithm]}`,
      `  timeout server ${idle}`,
      // A backend that dies mid-request (killed, crashed) closes its connection with no answer:
      // an idempotent request is sent again to another server instead of failing the client, as
      // the built-in balancer does. Requests that may change state are never sent twice.
      ...(http ? HTTP_RETRY_LINES : []),
      ...healthCheckLines(loadBalancer.healthCheck).map((line) => `  ${line}`),
      ...servers.map(
        (server) =>
          `  server ${server.instanceId} ${serverArguments(loadBalancer, server)}${server.draining ? ' disabled' : ''}`,
      ),
      '',
    ]
  })
}

export function renderConfig(loadBalancer: LoadBalancer, servers: readonly ServerEntry[], paths: ConfigPaths): string {
  return [
    `# Written by Billow for load balancer ${loadBalancer.id}. Servers change through the runtime API;`,
    '# this file is rewritten when listeners, algorithm, health check or drain time change.',
    'global',
    // expose-fd lets a reload (-x) take over the listening sockets, so no connection is refused meanwhile.
    `  stats socket ${paths.adminSocket} mode 600 level admin expose-fd listeners`,
    // Without it, a second haproxy on the same port would silently share it rather than fail to bind.
    '  noreuseport',
    `  fd-hard-limit ${FILE_DESCRIPTORS_MAX}`,
    `  hard-stop-after ${loadBalancer.drainSeconds + HARD_STOP_MARGIN_SECONDS}s`,
    `  server-state-file ${paths.serverStateFile}`,
    '',
    `ring ${REQUEST_LOG_RING}`,
    '  format raw',
    `  size ${REQUEST_LOG_BYTES}`,
    '',
    'defaults',
    '  load-server-state-from-file global',
    `  timeout connect ${CONNECT_TIMEOUT_MS}ms`,
    `  timeout queue ${QUEUE_TIMEOUT_SECONDS}s`,
    `  timeout http-request ${HTTP_REQUEST_TIMEOUT_SECONDS}s`,
    `  timeout http-keep-alive ${HTTP_REQUEST_TIMEOUT_SECONDS}s`,
    `  retries ${CONNECT_RETRIES}`,
    '  option redispatch 1',
    '',
    ...listenerSections(loadBalancer, servers),
  ].join('\n')
}
