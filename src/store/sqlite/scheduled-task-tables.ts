/**
 * Scheduled tasks and their runs (schema version 2). Runs are ordered by occurrence rather than
 * by insertion: a Missed entry for an old occurrence may be written after a newer one.
 */
import { sql } from 'kysely'
import type { ScalingGroupId, ScheduledTaskId } from '../../core/ids.ts'
import { isOpenRun, type ScheduledTask, type ScheduledTaskRun } from '../../core/schedule/scheduled-task.ts'
import type { Collections } from '../../ports/store.ts'
import { DocumentTable, type Executor } from './document-table.ts'

/** A history page when the caller names no limit. */
const RUNS_LIST_DEFAULT = 100

export function scheduledTaskCollections(db: Executor): Pick<Collections, 'scheduledTasks' | 'scheduledTaskRuns'> {
  const tasks = new DocumentTable<ScheduledTask, ScheduledTaskId>(db, 'scheduled_tasks', (r) => ({
    group_id: r.groupId,
  }))
  const runs = new DocumentTable<ScheduledTaskRun, string>(db, 'scheduled_task_runs', (r) => ({
    task_id: r.taskId,
    occurrence_at_ms: r.occurrenceAtMs,
    phase: r.phase,
    open: isOpenRun(r) ? 1 : 0,
  }))
  const bodies = (rows: readonly { body: string }[]) =>
    rows.map((row) => Object.freeze(JSON.parse(row.body) as ScheduledTaskRun))
  return {
    scheduledTasks: Object.assign(tasks, {
      list: (filter: { groupId?: ScalingGroupId }) => tasks.where({ group_id: filter.groupId }),
    }),
    scheduledTaskRuns: Object.assign(runs, {
      list: async (filter: { taskId: ScheduledTaskId; limit?: number }) =>
        bodies(
          (
            await sql<{ body: string }>`SELECT body FROM scheduled_task_runs WHERE task_id = ${filter.taskId}
              ORDER BY occurrence_at_ms DESC, seq DESC LIMIT ${filter.limit ?? RUNS_LIST_DEFAULT}`.execute(db)
          ).rows,
        ),
      listOpen: async () =>
        bodies(
          (
            await sql<{ body: string }>`SELECT body FROM scheduled_task_runs WHERE open = 1
              ORDER BY occurrence_at_ms ASC, seq ASC`.execute(db)
          ).rows,
        ),
      latestOccurrenceAtMs: async (taskId: ScheduledTaskId) => {
        const result = await sql<{ latest: number | null }>`SELECT max(occurrence_at_ms) AS latest
          FROM scheduled_task_runs WHERE task_id = ${taskId} AND phase = 'Start'`.execute(db)
        return result.rows[0]?.latest ?? undefined
      },
      deleteForTask: async (taskId: ScheduledTaskId) => {
        await sql`DELETE FROM scheduled_task_runs WHERE task_id = ${taskId}`.execute(db)
      },
    }),
  }
}
