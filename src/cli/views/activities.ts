/** How activities read in tables and describe views; shared by every command that starts one. */
import type { Activity } from '../api-types.ts'
import { type CellValue, NONE, renderFields, renderTable, truncate } from '../table.ts'
import { formatTime, formatTimeWithAge } from '../time-format.ts'

/** Causes and messages are sentences; a table shows their start, describe shows them whole. */
const TEXT_COLUMN_MAX_CHARS = 48

export function renderActivityTable(activities: readonly Activity[]): string {
  return renderTable(
    ['id', 'group', 'status', 'progress', 'cause', 'started', 'ended', 'message'],
    activities.map((activity) => [
      activity.id,
      activity.groupId,
      activity.status,
      `${Math.round(activity.progressPercent)}%`,
      truncate(activity.cause, TEXT_COLUMN_MAX_CHARS),
      formatTime(activity.startedAtMs),
      formatTime(activity.endedAtMs),
      truncate(activity.statusMessage, TEXT_COLUMN_MAX_CHARS),
    ]),
  )
}

export function renderActivity(activity: Activity, nowMs: number): string {
  const fields: [string, CellValue][] = [
    ['id', activity.id],
    ['group', activity.groupId],
    ['status', activity.status],
    ['progress', `${Math.round(activity.progressPercent)}%`],
    ['cause', activity.cause],
    ['description', activity.description],
    ['message', activity.statusMessage],
    ['created', formatTimeWithAge(activity.createdAtMs, nowMs)],
    ['started', formatTimeWithAge(activity.startedAtMs, nowMs)],
    ['ended', formatTimeWithAge(activity.endedAtMs, nowMs)],
    ...planFields(activity),
  ]
  return renderFields(fields)
}

function planFields(activity: Activity): [string, CellValue][] {
  const plan = activity.plan
  if (!plan) return [['plan', 'not made yet']]
  const removals = plan.removals.map((removal) => `${removal.instanceId} (${removal.action})`)
  return [
    ['capacity', `${plan.capacityBefore} → ${plan.capacityAfter}`],
    ['launches', plan.launchCount],
    ['removals', removals.length > 0 ? removals.join(', ') : NONE],
    ['attachments', plan.attachments.length > 0 ? plan.attachments.join(', ') : NONE],
    ['cooldown', plan.startsCooldown ? `starts ${plan.cooldownSeconds}s when it ends` : 'not started'],
  ]
}
