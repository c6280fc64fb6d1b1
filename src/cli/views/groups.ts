/** How scaling groups read in tables and describe views. */
import type { GroupView } from '../api-types.ts'
import { type CellValue, NONE, renderFields, renderTable } from '../table.ts'
import { formatAge, formatDuration, formatTime, formatTimeWithAge } from '../time-format.ts'

/** `in cooldown until 13:25:05 (in 1m40s)`, or null when the cooldown is over or never began. */
export function cooldownText(group: Pick<GroupView, 'cooldownUntilMs'>, nowMs: number): string | null {
  if (group.cooldownUntilMs === null || group.cooldownUntilMs <= nowMs) return null
  return `in cooldown until ${formatTime(group.cooldownUntilMs)} (${formatDuration(group.cooldownUntilMs - nowMs)} left)`
}

const zonesText = (group: GroupView): string => group.zones.map((zone) => `${zone.zoneId}=${zone.subnet}`).join(', ')

/** `lb-1 (app port, weight 10), lb-2 (port 8080, weight 5)`; `none` when there are none. */
const loadBalancersText = (group: GroupView): string =>
  group.loadBalancers.length === 0
    ? 'none'
    : group.loadBalancers
        .map((a) => `${a.loadBalancerId} (${a.port === null ? 'app port' : `port ${a.port}`}, weight ${a.weight})`)
        .join(', ')

export function renderGroupTable(groups: readonly GroupView[], nowMs: number): string {
  return renderTable(
    [
      'id',
      'name',
      'state',
      'min',
      'max',
      'desired',
      'in service',
      'queue',
      'cooldown',
      'launch configuration',
      'zones',
      'age',
    ],
    groups.map((group) => [
      group.id,
      group.name,
      group.state,
      group.minSize,
      group.maxSize,
      group.desiredCapacity,
      `${group.inServiceCount}/${group.instanceCount}`,
      group.queueLength,
      group.cooldownUntilMs !== null && group.cooldownUntilMs > nowMs
        ? `${formatDuration(group.cooldownUntilMs - nowMs)} left`
        : NONE,
      group.launchConfigurationId,
      group.zones.map((zone) => zone.zoneId).join(','),
      formatAge(group.createdAtMs, nowMs),
    ]),
  )
}

export function renderGroup(group: GroupView, nowMs: number): string {
  const fields: [string, CellValue][] = [
    ['id', group.id],
    ['name', group.name],
    ['state', group.state],
    ['min size', group.minSize],
    ['max size', group.maxSize],
    ['desired capacity', group.desiredCapacity ?? 'not set (keeps min ≤ count ≤ max)'],
    ['instances', `${group.instanceCount} (${group.inServiceCount} in service)`],
    ['queued activities', group.queueLength],
    ['default cooldown', `${group.defaultCooldownSeconds}s`],
    ['cooldown', cooldownText(group, nowMs) ?? 'not in cooldown'],
    ['launch configuration', group.launchConfigurationId],
    ['zones', zonesText(group)],
    ['removal policies', group.removalPolicies.join(', ')],
    ['load balancers', loadBalancersText(group)],
    ['databases', group.databaseIds.length === 0 ? 'none' : group.databaseIds.join(', ')],
    ['health check type', `${group.healthCheckType} (grace period ${group.healthCheckGracePeriodSeconds}s)`],
  ]
  if (group.retryAfterMs !== null && group.retryAfterMs > nowMs) {
    fields.push([
      'retrying',
      `after ${group.consecutiveFailures} failed attempt(s); next at ${formatTimeWithAge(group.retryAfterMs, nowMs)}`,
    ])
  }
  fields.push(['created', formatTimeWithAge(group.createdAtMs, nowMs)])
  return renderFields(fields)
}
