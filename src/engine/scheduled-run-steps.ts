/**
 * One scheduled run, moved one step by each tick (states in core/schedule/scheduled-task.ts).
 * Every step is one transaction that re-reads the run and acts only on the state it finds, so a
 * step repeated after a crash, or taken by a second engine, does nothing twice.
 */
import type { ActivityId } from '../core/ids.ts'
import { launchWindowMs } from '../core/schedule/due-occurrences.ts'
import { windowEndAfter } from '../core/schedule/occurrences.ts'
import { runReadiness } from '../core/schedule/run-readiness.ts'
import { SCHEDULED_RUNS_HONOR_COOLDOWN, scheduledCauseText, startRequest } from '../core/schedule/run-request.ts'
import { runKey, type ScheduledTask, type ScheduledTaskRun } from '../core/schedule/scheduled-task.ts'
import { changedSince, revertRequest } from '../core/schedule/window-revert.ts'
import { type Activity, type ActivityRequest, isTerminalStatus, type ScheduledCause } from '../core/types.ts'
import type { Collections } from '../ports/store.ts'
import type { EngineContext } from './engine-context.ts'

/** Activities a revert looks through for a later change of its group; a window is hours, not thousands of activities. */
const ACTIVITIES_CHECKED_FOR_REVERT_MAX = 500

export async function advanceRun(context: EngineContext, runId: string): Promise<void> {
  await context.store.transaction(async (tx) => {
    const run = await tx.scheduledTaskRuns.get(runId)
    if (!run) return
    const task = await tx.scheduledTasks.get(run.taskId)
    const nowMs = context.clock.nowMs()
    const step = { context, tx, run, task, nowMs }
    if (run.status === 'Waiting') await tryStart(step)
    else if (run.status === 'Started') await followActivity(step)
    else if (run.revertDueAtMs !== null && run.revertDueAtMs <= nowMs) await recordRevert(step)
  })
}

interface Step {
  readonly context: EngineContext
  readonly tx: Collections
  readonly run: ScheduledTaskRun
  readonly task: ScheduledTask | undefined
  readonly nowMs: number
}

async function update(step: Step, changes: Partial<ScheduledTaskRun>): Promise<void> {
  await step.tx.scheduledTaskRuns.update({ ...step.run, ...changes, updatedAtMs: step.nowMs })
  if (changes.status !== undefined && changes.status !== step.run.status) {
    step.context.log.info('scheduler.run', {
      runId: step.run.id,
      status: changes.status,
      reason: changes.reason ?? undefined,
    })
  }
}

/** Waiting → Started (request queued), or Expired, or Skipped; or still Waiting with the reason. */
async function tryStart(step: Step): Promise<void> {
  const { tx, run, task, nowMs } = step
  if (!task) return update(step, { status: 'Skipped', reason: 'the task was deleted' })
  if (!task.enabled && run.phase === 'Start') {
    return update(step, { status: 'Skipped', reason: 'the task was disabled before the run could start' })
  }
  if (nowMs > run.expiresAtMs) {
    const why = run.reason ?? 'the scheduler did not get to it in time'
    return update(step, {
      status: 'Expired',
      reason: `launch expiration (${task.launchExpirationSeconds}s after ${new Date(run.dueAtMs).toISOString()}) passed: ${why}`,
    })
  }
  const request = await requestFor(step, task)
  if (typeof request === 'string') return update(step, { status: 'Skipped', reason: request })
  const group = await tx.groups.get(run.groupId)
  const busy = await tx.activities.list({ groupId: run.groupId, statuses: ['InProgress', 'Queued'] })
  const readiness = runReadiness({ group, busy, honorCooldown: SCHEDULED_RUNS_HONOR_COOLDOWN, nowMs })
  if (readiness.kind === 'skip') return update(step, { status: 'Skipped', reason: readiness.reason })
  if (readiness.kind === 'wait') return update(step, { refusals: run.refusals + 1, reason: readiness.reason })
  const activity = await queue(step, task, request)
  return update(step, { status: 'Started', activityId: activity.id, reason: null })
}

/** The request of the run's phase; for a revert, why there is nothing to revert when there is not. */
async function requestFor(step: Step, task: ScheduledTask): Promise<ActivityRequest | string> {
  const { tx, run } = step
  const scheduled: ScheduledCause = { taskId: task.id, occurrenceAtMs: run.occurrenceAtMs, phase: run.phase }
  if (run.phase === 'Start') return startRequest(task, scheduled)
  const startRun = await tx.scheduledTaskRuns.get(runKey(task.id, run.occurrenceAtMs, 'Start'))
  const start = startRun?.activityId ? await tx.activities.get(startRun.activityId) : undefined
  if (!start) return "the start's activity is gone"
  const recent = await tx.activities.list({
    groupId: run.groupId,
    newestFirst: true,
    limit: ACTIVITIES_CHECKED_FOR_REVERT_MAX,
  })
  return changedSince(start, recent) ?? revertRequest(start, scheduled)
}

/** Writes the request into the group's queue: the same queue as every other mode's requests. */
async function queue(step: Step, task: ScheduledTask, request: ActivityRequest): Promise<Activity> {
  const { context, tx, run, nowMs } = step
  const scheduled: ScheduledCause = { taskId: task.id, occurrenceAtMs: run.occurrenceAtMs, phase: run.phase }
  const activity: Activity = {
    id: context.ids.next('activity') as ActivityId,
    groupId: run.groupId,
    request,
    status: 'Queued',
    cause: scheduledCauseText(task, scheduled),
    description: '',
    plan: null,
    progressPercent: 0,
    statusMessage: null,
    createdAtMs: nowMs,
    startedAtMs: null,
    endedAtMs: null,
  }
  await tx.activities.insert(activity)
  return activity
}

/** Started → the activity's outcome; a window's start that took effect gets its revert time. */
async function followActivity(step: Step): Promise<void> {
  const { tx, run, task } = step
  const activity = run.activityId ? await tx.activities.get(run.activityId) : undefined
  if (!activity) return update(step, { status: 'Failed', reason: 'its activity is gone' })
  if (!isTerminalStatus(activity.status)) return
  const status = activity.status as 'Successful' | 'Warning' | 'Failed' | 'Rejected'
  const tookEffect = status === 'Successful' || status === 'Warning'
  const revertDueAtMs =
    run.phase === 'Start' && tookEffect && task?.windowEndTime
      ? windowEndAfter(run.occurrenceAtMs, task.windowEndTime, task.timeZone)
      : null
  return update(step, { status, reason: activity.statusMessage, revertDueAtMs })
}

/** The window ended: the revert becomes a run of its own (Waiting), keyed by the same occurrence. */
async function recordRevert(step: Step): Promise<void> {
  const { tx, run, task, nowMs } = step
  const dueAtMs = run.revertDueAtMs ?? nowMs
  await update(step, { revertDueAtMs: null })
  if (!task) return
  await tx.scheduledTaskRuns.insert({
    ...run,
    id: runKey(task.id, run.occurrenceAtMs, 'Revert'),
    phase: 'Revert',
    dueAtMs,
    expiresAtMs: dueAtMs + launchWindowMs(task.launchExpirationSeconds),
    status: 'Waiting',
    refusals: 0,
    activityId: null,
    reason: null,
    revertDueAtMs: null,
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
  })
}
