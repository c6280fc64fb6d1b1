/**
 * What a scheduled run asks of the group: the same requests as every other mode, queued in the
 * same queue, marked with the occurrence they come from. Pure.
 */
import type { ActivityRequest, ScheduledCause } from '../types.ts'
import { viewOccurrence } from './occurrences.ts'
import type { ScheduledTask } from './scheduled-task.ts'

/** Scheduled executions are automatic, so they honour cooldown (docs/concepts.md, "Cooldown"). */
export const SCHEDULED_RUNS_HONOR_COOLDOWN = true

export function startRequest(task: Pick<ScheduledTask, 'action'>, scheduled: ScheduledCause): ActivityRequest {
  const { action } = task
  switch (action.kind) {
    case 'ExecuteRule':
      return {
        kind: 'ExecuteRule',
        ruleId: action.ruleId,
        honorCooldown: SCHEDULED_RUNS_HONOR_COOLDOWN,
        origin: 'Scheduled',
        scheduled,
      }
    case 'SetGroupSize':
      return {
        kind: 'SetGroupSize',
        minSize: action.minSize,
        maxSize: action.maxSize,
        desiredCapacity: action.desiredCapacity,
        honorCooldown: SCHEDULED_RUNS_HONOR_COOLDOWN,
        origin: 'Scheduled',
        scheduled,
        expected: null,
      }
  }
}

/** The activity's cause: which task, which occurrence (local and UTC), which half. */
export function scheduledCauseText(
  task: Pick<ScheduledTask, 'id' | 'name' | 'timeZone'>,
  scheduled: ScheduledCause,
): string {
  const occurrence = viewOccurrence(scheduled.occurrenceAtMs, task.timeZone)
  const when = `${occurrence.local} ${task.timeZone} (${occurrence.utc})`
  return scheduled.phase === 'Start'
    ? `scheduled task "${task.name}" (${task.id}): occurrence of ${when}`
    : `scheduled task "${task.name}" (${task.id}): end of the window of the occurrence of ${when}`
}
