/**
 * Traffic figures of one load balancer, from two runtime API answers:
 *   - `show stat`: connections now (scur) per frontend and server, requests per server (stot,
 *     since the process started: a reload starts them again from 0), server state;
 *   - the request ring (request-log.ts): requests per second, latency p50/p99 and error rate per
 *     listener over the last STATS_WINDOW_SECONDS.
 */
import type { InstanceId } from '../../core/ids.ts'
import type { BackendStats, ListenerStats, LoadBalancerStats } from '../../core/load-balancer.ts'
import type { BalancerRecord } from './balancer-directory.ts'
import { listenerNames } from './haproxy-names.ts'
import { readRequestLog, windowFigures } from './request-log.ts'
import {
  BACKEND_ROW,
  FRONTEND_ROW,
  isTakingNewRequests,
  leastHealthy,
  type StatRow,
  serverHealth,
  showStat,
  statNumber,
} from './show-stat.ts'

/** Each instance's server rows, one per listener backend of the load balancer. */
export function serverRowsByInstance(
  rows: readonly StatRow[],
  loadBalancer: BalancerRecord['loadBalancer'],
): Map<InstanceId, StatRow[]> {
  const backendNames = new Set(loadBalancer.listeners.map((listener) => listenerNames(listener).backend))
  const servers = new Map<InstanceId, StatRow[]>()
  for (const row of rows) {
    const svname = row.get('svname') ?? ''
    if (!backendNames.has(row.get('pxname') ?? '') || svname === FRONTEND_ROW || svname === BACKEND_ROW) continue
    const instanceId = svname as InstanceId
    servers.set(instanceId, [...(servers.get(instanceId) ?? []), row])
  }
  return servers
}

function backendStats(rows: readonly StatRow[], record: BalancerRecord): BackendStats[] {
  const draining = new Set(record.backends.filter((e) => e.drainStartedAtMs !== null).map((e) => e.backend.instanceId))
  const servers = serverRowsByInstance(rows, record.loadBalancer)
  return [...servers].map(([instanceId, serverRows]) => ({
    instanceId,
    health: leastHealthy(serverRows.map(serverHealth)),
    activeConnections: serverRows.reduce((sum, row) => sum + statNumber(row, 'scur'), 0),
    requestsTotal: serverRows.reduce((sum, row) => sum + statNumber(row, 'stot'), 0),
    draining: draining.has(instanceId) || serverRows.some((row) => !isTakingNewRequests(row)),
  }))
}

export async function loadBalancerStats(
  socketPath: string,
  record: BalancerRecord,
  nowMs: number,
): Promise<LoadBalancerStats> {
  const [rows, log] = await Promise.all([showStat(socketPath), readRequestLog(socketPath)])
  const listeners = record.loadBalancer.listeners.map((listener): ListenerStats => {
    const { frontend } = listenerNames(listener)
    const row = rows.find((r) => r.get('pxname') === frontend && r.get('svname') === FRONTEND_ROW)
    return {
      protocol: listener.protocol,
      port: listener.port,
      activeConnections: row === undefined ? 0 : statNumber(row, 'scur'),
      ...windowFigures(log, frontend, listener.protocol, nowMs),
    }
  })
  return { listeners, backends: backendStats(rows, record) }
}
