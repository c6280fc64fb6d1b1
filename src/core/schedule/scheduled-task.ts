/**
 * Scheduled tasks (scheduled mode) and their runs, as the store keeps them. Words: a task has
 * occurrences (the instants its schedule names); each occurrence gets at most one run per phase,
 * identified by (task, occurrence, phase) and persisted before anything is done for it.
 *
 * A run, per phase (Start at the occurrence; Revert at the end of a window task's window):
 *
 *   occurrence due ──recorded──▶ Waiting ──group free (and out of cooldown)──▶ Started ──activity ends──▶ Successful
 *        │                          │        the request and the run's new state     (an activity        | Warning
 *        │                          │        are written in one transaction           in the group's     | Failed
 *        │                          │                                                 queue)             | Rejected
 *        │                          ├──launch expiration passed, still refused──▶ Expired (with the last reason)
 *        │                          └──task disabled or deleted, nothing to revert──▶ Skipped (with the reason)
 *        └──found after its launch expiration (server down), or superseded by a later one──▶ Missed
 */
import type { ActivityId, ScalingGroupId, ScalingRuleId, ScheduledTaskId } from '../ids.ts'

export const RECURRENCE_TYPES = ['Daily', 'Weekly', 'Monthly', 'Cron'] as const
export type RecurrenceType = (typeof RECURRENCE_TYPES)[number]

/** How a task repeats; the time of day comes from its launch time (Cron: from the expression). */
export type Recurrence =
  | { readonly type: 'Daily'; readonly intervalDays: number }
  /** 0 = Sunday … 6 = Saturday, as in cron and ESS. */
  | { readonly type: 'Weekly'; readonly daysOfWeek: readonly number[] }
  /** Days that a month lacks (31 in April) are skipped that month, never moved. */
  | { readonly type: 'Monthly'; readonly daysOfMonth: readonly number[] }
  | { readonly type: 'Cron'; readonly expression: string }

/** What an occurrence does. Both forms exist in the clouds (ESS ScheduledAction / MinValue…; Tencent MinSize…). */
export type ScheduledAction =
  | { readonly kind: 'ExecuteRule'; readonly ruleId: ScalingRuleId }
  /** null: leave that setting as it is. At least one is set. */
  | {
      readonly kind: 'SetGroupSize'
      readonly minSize: number | null
      readonly maxSize: number | null
      readonly desiredCapacity: number | null
    }

export interface ScheduledTask {
  readonly id: ScheduledTaskId
  readonly groupId: ScalingGroupId
  readonly name: string
  readonly description: string | null
  /** IANA name; the launch time, the recurrence and the window end are read on its wall clock. */
  readonly timeZone: string
  /**
   * The first launch as local wall-clock time ("2026-01-05T11:00"). The local time is kept, not
   * the instant, because the local time is what recurs: across daylight saving the instant moves.
   */
  readonly launchTime: string
  readonly recurrence: Recurrence | null
  /** The last instant an occurrence may fall on (inclusive); null: the recurrence never ends. */
  readonly recurrenceEndAtMs: number | null
  /** Window form ("11:00–13:00"): the local time at which each occurrence's change is reverted; null: a point task. */
  readonly windowEndTime: string | null
  /** How long after its time an occurrence may still run when the group refuses it (cooldown, busy). */
  readonly launchExpirationSeconds: number
  readonly enabled: boolean
  readonly action: ScheduledAction
  /**
   * Occurrences before this instant are neither run nor recorded: the task did not exist yet,
   * had another schedule, or was disabled. Set at creation, on a schedule change and on enable.
   */
  readonly scheduleFromMs: number
  readonly createdAtMs: number
  readonly updatedAtMs: number
}

export type ScheduledRunPhase = 'Start' | 'Revert'

export type ScheduledRunStatus =
  | 'Waiting'
  | 'Started'
  | 'Successful'
  | 'Warning'
  | 'Failed'
  | 'Rejected'
  | 'Expired'
  | 'Missed'
  | 'Skipped'

export const OPEN_RUN_STATUSES: readonly ScheduledRunStatus[] = ['Waiting', 'Started']

/** One entry of a task's history: a run, or a skip. */
export interface ScheduledTaskRun {
  /** `runKey(taskId, occurrenceAtMs, phase)`: the same occurrence always has the same key. */
  readonly id: string
  readonly taskId: ScheduledTaskId
  readonly groupId: ScalingGroupId
  readonly occurrenceAtMs: number
  readonly phase: ScheduledRunPhase
  /** When the run may start: the occurrence, or for a revert the end of the window. */
  readonly dueAtMs: number
  /** After this instant a refused run is Expired. */
  readonly expiresAtMs: number
  readonly status: ScheduledRunStatus
  /** Times the group refused the run (busy, cooldown, not active) before it started or expired. */
  readonly refusals: number
  readonly activityId: ActivityId | null
  /** Why it waits, expired, was missed or skipped; for a finished activity, its status message. */
  readonly reason: string | null
  /** For Missed entries that stand for several occurrences: how many (1 otherwise). */
  readonly occurrenceCount: number
  /** A Start run of a window task whose change took effect: when its revert is due; null once recorded. */
  readonly revertDueAtMs: number | null
  readonly createdAtMs: number
  readonly updatedAtMs: number
}

/** The key that makes each (task, occurrence, phase) exactly once; also the run's id. */
export const runKey = (taskId: ScheduledTaskId, occurrenceAtMs: number, phase: ScheduledRunPhase): string =>
  `${taskId}@${occurrenceAtMs}${phase === 'Revert' ? '/revert' : ''}`

/** The scheduler still has work on this run: it waits, runs, or has a revert to record. */
export const isOpenRun = (run: Pick<ScheduledTaskRun, 'status' | 'revertDueAtMs'>): boolean =>
  OPEN_RUN_STATUSES.includes(run.status) || run.revertDueAtMs !== null
