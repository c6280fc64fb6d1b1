/** How load balancers read in tables and describe views, with their data plane's figures. */

import type { HealthCheck, Listener, LoadBalancerStats } from '../../core/load-balancer.ts'
import type { LoadBalancerView } from '../api-types.ts'
import { type CellValue, NONE, renderFields, renderTable } from '../table.ts'
import { formatAge, formatTimeWithAge } from '../time-format.ts'

/** `HTTP:127.0.0.1:8000`, the syntax `--listener` takes. */
export const listenerText = (listener: Listener): string => `${listener.protocol}:${listener.host}:${listener.port}`

/** `http:/health:200-399` or `tcp`: the syntax `--health-check` takes. */
export const healthCheckTarget = (check: HealthCheck): string =>
  check.type === 'HTTP' ? `http:${check.path}:${check.expectedStatusMin}-${check.expectedStatusMax}` : 'tcp'

/** The target and the thresholds. */
export function healthCheckText(check: HealthCheck): string {
  return (
    `${healthCheckTarget(check)} every ${check.intervalSeconds}s, timeout ${check.timeoutSeconds}s, ` +
    `healthy after ${check.healthyThreshold}, unhealthy after ${check.unhealthyThreshold}`
  )
}

const shortHealthCheck = (check: HealthCheck): string => (check.type === 'HTTP' ? `http:${check.path}` : 'tcp')

/** `2/3` healthy backends, `-` when the data plane does not answer. */
function backendsText(stats: LoadBalancerStats | null): string {
  if (!stats) return NONE
  const healthy = stats.backends.filter((backend) => backend.health === 'healthy').length
  return `${healthy}/${stats.backends.length}`
}

const rate = (perSecond: number): string => (perSecond >= 100 ? String(Math.round(perSecond)) : perSecond.toFixed(1))
const milliseconds = (ms: number | null): string | null =>
  ms === null ? null : ms >= 100 ? `${Math.round(ms)}ms` : `${ms.toFixed(1)}ms`
const percent = (value: number): string => `${value >= 10 ? Math.round(value) : value.toFixed(1)}%`

export function renderLoadBalancerTable(loadBalancers: readonly LoadBalancerView[], nowMs: number): string {
  return renderTable(
    ['id', 'name', 'driver', 'listeners', 'algorithm', 'health check', 'groups', 'healthy', 'age'],
    loadBalancers.map((lb) => [
      lb.id,
      lb.name,
      lb.driver,
      lb.listeners.map(listenerText).join(','),
      lb.algorithm,
      shortHealthCheck(lb.healthCheck),
      lb.groupIds.length,
      backendsText(lb.stats),
      formatAge(lb.createdAtMs, nowMs),
    ]),
  )
}

/** The configuration, the groups that attach it, then per listener and per backend figures. */
export function renderLoadBalancer(lb: LoadBalancerView, nowMs: number): string {
  const fields: [string, CellValue][] = [
    ['id', lb.id],
    ['name', lb.name],
    ['driver', lb.driver],
    ['listeners', lb.listeners.map(listenerText).join(', ')],
    ['algorithm', lb.algorithm],
    ['health check', healthCheckText(lb.healthCheck)],
    ['drain', `${lb.drainSeconds}s`],
    ['groups', lb.groupIds.length > 0 ? lb.groupIds.join(', ') : 'none attach it'],
    ['created', formatTimeWithAge(lb.createdAtMs, nowMs)],
  ]
  const sections = [renderFields(fields), '']
  if (!lb.stats) {
    sections.push('Traffic: not available (the data plane does not answer)')
    return sections.join('\n')
  }
  sections.push(
    'Listeners:',
    lb.stats.listeners.length === 0
      ? '  none'
      : renderTable(
          ['listener', 'requests/s', 'active conns', 'p50', 'p99', 'errors'],
          lb.stats.listeners.map((listener) => [
            `${listener.protocol}:${listenerHost(lb, listener.protocol, listener.port)}${listener.port}`,
            rate(listener.requestsPerSecond),
            listener.activeConnections,
            milliseconds(listener.latencyP50Ms),
            milliseconds(listener.latencyP99Ms),
            percent(listener.errorRatePercent),
          ]),
        ),
    '',
    'Backends:',
    lb.stats.backends.length === 0
      ? '  none'
      : renderTable(
          ['instance', 'health', 'active conns', 'requests', 'draining'],
          lb.stats.backends.map((backend) => [
            backend.instanceId,
            backend.health,
            backend.activeConnections,
            backend.requestsTotal,
            backend.draining,
          ]),
        ),
  )
  return sections.join('\n')
}

/** Stats name a listener by protocol and port; the host comes from the configuration when it is known. */
function listenerHost(lb: LoadBalancerView, protocol: string, port: number): string {
  const listener = lb.listeners.find((candidate) => candidate.protocol === protocol && candidate.port === port)
  return listener ? `${listener.host}:` : ''
}
