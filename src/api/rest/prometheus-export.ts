/**
 * GET /metrics: Billow's own figures in the Prometheus text format (prom-client), for a
 * Prometheus that watches the autoscaler itself: groups, instances by state, activities by
 * status, alarm states (1 for the current state), balancer traffic per group. A new registry per
 * scrape: the figures are read from the store, which is the truth, not counted in memory.
 *
 * It needs a bearer token like /v1: the figures name groups and alarms, and a scraper is given a
 * read-only token (Prometheus' `authorization` scrape setting) as easily as any other client.
 */
import { Gauge, Registry } from 'prom-client'
import { ALARM_STATES } from '../../core/alarms/alarm.ts'
import type { Services } from '../../service/services.ts'

export async function prometheusText(services: Services): Promise<{ contentType: string; text: string }> {
  const overview = await services.metrics.overview()
  const registry = new Registry()
  new Gauge({ name: 'billow_scaling_groups', help: 'Scaling groups', registers: [registry] }).set(overview.groupCount)
  const instances = new Gauge({
    name: 'billow_instances',
    help: 'Instances by lifecycle state',
    labelNames: ['state'],
    registers: [registry],
  })
  for (const state of ['Pending', 'InService', 'Standby', 'Removing']) {
    instances.set({ state }, overview.instancesByState[state] ?? 0)
  }
  const activities = new Gauge({
    name: 'billow_activities',
    help: 'Scaling activities by status: queued, in progress, and every one finished so far',
    labelNames: ['status'],
    registers: [registry],
  })
  for (const [status, count] of Object.entries(overview.activitiesByStatus)) activities.set({ status }, count)
  const alarms = new Gauge({
    name: 'billow_alarm_state',
    help: 'Each alarm: 1 for its current state, 0 for the others',
    labelNames: ['alarm_id', 'group_id', 'state'],
    registers: [registry],
  })
  for (const alarm of overview.alarms) {
    for (const state of ALARM_STATES) {
      alarms.set({ alarm_id: alarm.id, group_id: alarm.groupId, state }, alarm.state === state ? 1 : 0)
    }
  }
  const traffic = new Gauge({
    name: 'billow_group_traffic',
    help: "A group's balancer traffic: RequestsPerSecond, ActiveConnections, ServerErrorsPerSecond, LatencyMs (p99)",
    labelNames: ['group_id', 'metric'],
    registers: [registry],
  })
  for (const point of overview.traffic) traffic.set({ group_id: point.groupId, metric: point.name }, point.value)
  return { contentType: registry.contentType, text: await registry.metrics() }
}
