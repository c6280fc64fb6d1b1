/** How instances read in tables and describe views; shared by `instances` and `groups describe`. */
import type { Instance } from '../api-types.ts'
import { type CellValue, NONE, renderFields, renderTable } from '../table.ts'
import { formatAge, formatTimeWithAge } from '../time-format.ts'

export function renderInstanceTable(instances: readonly Instance[], nowMs: number): string {
  return renderTable(
    [
      'id',
      'group',
      'zone',
      'private ip',
      'port',
      'state',
      'health',
      'load balancers',
      'protected',
      'joined by',
      'launch configuration',
      'age',
    ],
    instances.map((instance) => [
      instance.id,
      instance.groupId,
      instance.zoneId,
      instance.privateIp,
      instance.port,
      instance.state,
      instance.health,
      idsText(instance.registeredLoadBalancerIds),
      instance.protected,
      instance.joinedBy,
      instance.launchConfigurationId,
      formatAge(instance.createdAtMs, nowMs),
    ]),
  )
}

/** `lb-1,lb-2`; `-` when none (or from a server that does not report them). */
const idsText = (ids: readonly string[] | undefined, separator = ','): string =>
  ids && ids.length > 0 ? ids.join(separator) : NONE

export function renderInstance(instance: Instance, nowMs: number): string {
  const limits = instance.limitsEnforced
    ? 'enforced'
    : `not enforced${instance.limitsNote ? `: ${instance.limitsNote}` : ''}`
  const fields: [string, CellValue][] = [
    ['id', instance.id],
    ['group', instance.groupId],
    ['state', instance.state],
    ['health', instance.health],
    ['status reason', instance.statusReason],
    ['protected', instance.protected],
    ['joined by', instance.joinedBy],
    ['zone', instance.zoneId],
    ['private ip', instance.privateIp],
    ['port', instance.port],
    ['address', `${instance.privateIp}:${instance.port}`],
    ['image', instance.imageId],
    ['instance type', instance.instanceType],
    ['limits', limits],
    ['launch configuration', instance.launchConfigurationId],
    ['launched by activity', instance.activityId],
    ['removal action', instance.removalAction],
    ['load balancers', idsText(instance.registeredLoadBalancerIds, ', ')],
    ['database allowlists', idsText(instance.allowlistedDatabaseIds, ', ')],
    ['created', formatTimeWithAge(instance.createdAtMs, nowMs)],
    ['in service since', formatTimeWithAge(instance.inServiceAtMs, nowMs)],
    ['terminated', formatTimeWithAge(instance.terminatedAtMs, nowMs)],
  ]
  return renderFields(fields)
}
