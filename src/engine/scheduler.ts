/**
 * Scheduled mode: one step per engine tick, before the groups reconcile (so a run queued now
 * starts in the same tick).
 *
 *   1. Discover: for each enabled task, the occurrences since the last one recorded (or since
 *      the task's schedule began) up to now. The latest still inside its launch expiration gets
 *      a Waiting run; older ones are recorded as Missed, never replayed in a burst.
 *   2. Advance every open run (scheduled-run-steps.ts): start it when the group is free, follow
 *      its activity, record the revert of a window, expire what waited too long.
 *
 * Exactly once: a run is keyed by (task, occurrence, phase) under a UNIQUE constraint, and is
 * recorded before anything is done for it; the request it queues is written in the same
 * transaction as the run's move to Started. A restart at any moment either finds the run (and
 * continues it) or finds nothing (and records it then). What is kept in memory here is a cache
 * of each task's next occurrence, rebuilt from the store after a restart.
 */
import type { ScheduledTaskId } from '../core/ids.ts'
import { dueOccurrences, launchWindowMs } from '../core/schedule/due-occurrences.ts'
import { formatWallClock } from '../core/schedule/local-time.ts'
import { nextOccurrenceAfter, occurrencesBetween } from '../core/schedule/occurrences.ts'
import { runKey, type ScheduledTask, type ScheduledTaskRun } from '../core/schedule/scheduled-task.ts'
import { wallClockMs } from '../core/schedule/time-zone.ts'
import type { Collections } from '../ports/store.ts'
import type { EngineContext } from './engine-context.ts'
import { advanceRun } from './scheduled-run-steps.ts'

/**
 * Occurrences one task records per tick. After a long outage a minutely task catches up over a
 * few ticks instead of one huge transaction; each batch of missed ones is one history entry.
 */
export const OCCURRENCES_PER_SCAN_MAX = 1_000

interface NextDue {
  /** The task version the entry was computed for. */
  readonly updatedAtMs: number
  /** Nothing to discover before this instant; null: the task has no occurrence left. */
  readonly nextAtMs: number | null
}

export class Scheduler {
  readonly #context: EngineContext
  readonly #nextDue = new Map<ScheduledTaskId, NextDue>()

  constructor(context: EngineContext) {
    this.#context = context
  }

  async step(): Promise<void> {
    const { store, log } = this.#context
    const tasks = await store.scheduledTasks.list({})
    const known = new Set(tasks.map((task) => task.id))
    for (const id of this.#nextDue.keys()) if (!known.has(id)) this.#nextDue.delete(id)
    for (const task of tasks) {
      try {
        await this.#discover(task)
      } catch (error) {
        log.error('scheduler.discover-failed', { taskId: task.id, error: describe(error) })
      }
    }
    await this.advanceOpenRuns()
  }

  /**
   * Moves every open run one step. The engine also calls it after the groups reconcile, so a run
   * sees its activity end, and a waiting run sees its group become free, in the same tick.
   */
  async advanceOpenRuns(): Promise<void> {
    const { store, log } = this.#context
    for (const run of await store.scheduledTaskRuns.listOpen()) {
      try {
        await advanceRun(this.#context, run.id)
      } catch (error) {
        log.error('scheduler.run-failed', { runId: run.id, error: describe(error) })
      }
    }
  }

  async #discover(task: ScheduledTask): Promise<void> {
    if (!task.enabled) return
    const nowMs = this.#context.clock.nowMs()
    const cached = this.#nextDue.get(task.id)
    if (cached?.updatedAtMs === task.updatedAtMs && (cached.nextAtMs === null || cached.nextAtMs > nowMs)) return
    const complete = await this.#context.store.transaction(async (tx) => {
      const current = await tx.scheduledTasks.get(task.id)
      // Changed since it was listed: the next tick looks at the new version.
      if (!current?.enabled || current.updatedAtMs !== task.updatedAtMs) return false
      const latestMs = await tx.scheduledTaskRuns.latestOccurrenceAtMs(task.id)
      const afterMs = Math.max(latestMs ?? Number.NEGATIVE_INFINITY, current.scheduleFromMs - 1)
      const found = occurrencesBetween(current, afterMs, nowMs, OCCURRENCES_PER_SCAN_MAX)
      await this.#record(tx, current, found, nowMs)
      return found.length < OCCURRENCES_PER_SCAN_MAX
    })
    if (complete) {
      this.#nextDue.set(task.id, { updatedAtMs: task.updatedAtMs, nextAtMs: nextOccurrenceAfter(task, nowMs) })
    }
  }

  async #record(tx: Collections, task: ScheduledTask, found: readonly number[], nowMs: number): Promise<void> {
    const windowMs = launchWindowMs(task.launchExpirationSeconds)
    const { due, missed } = dueOccurrences(found, nowMs, windowMs)
    const last = missed.at(-1)
    if (last !== undefined) {
      const first = missed[0] as number
      const range = first === last ? localText(task, last) : `${localText(task, first)} to ${localText(task, last)}`
      const fate =
        due === null
          ? 'past their launch expiration'
          : `superseded by the occurrence of ${localText(task, due)} or past their launch expiration`
      await tx.scheduledTaskRuns.insert({
        ...newRun(task, last, nowMs, windowMs),
        status: 'Missed',
        occurrenceCount: missed.length,
        reason: `${missed.length} occurrence(s) (${range}) found ${fate} when the scheduler looked: missed occurrences are never replayed in a burst`,
      })
      this.#context.log.warn('scheduler.missed', { taskId: task.id, count: missed.length })
    }
    if (due !== null) await tx.scheduledTaskRuns.insert(newRun(task, due, nowMs, windowMs))
  }
}

/** A Start run, Waiting, for `occurrenceAtMs`. */
function newRun(task: ScheduledTask, occurrenceAtMs: number, nowMs: number, windowMs: number): ScheduledTaskRun {
  return {
    id: runKey(task.id, occurrenceAtMs, 'Start'),
    taskId: task.id,
    groupId: task.groupId,
    occurrenceAtMs,
    phase: 'Start',
    dueAtMs: occurrenceAtMs,
    expiresAtMs: occurrenceAtMs + windowMs,
    status: 'Waiting',
    refusals: 0,
    activityId: null,
    reason: null,
    occurrenceCount: 1,
    revertDueAtMs: null,
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
  }
}

const localText = (task: Pick<ScheduledTask, 'timeZone'>, atMs: number): string =>
  formatWallClock(wallClockMs(atMs, task.timeZone))

const describe = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error))
