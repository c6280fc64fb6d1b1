/**
 * Scheduled tasks: validate, store, show. The engine's scheduler runs them (engine/scheduler.ts);
 * this service never queues a run itself. Every check names the request field it is about.
 */
import { BillowError } from '../core/errors.ts'
import type { ScalingGroupId, ScheduledTaskId } from '../core/ids.ts'
import { formatWallClock, parseTimeInput } from '../core/schedule/local-time.ts'
import { launchWallMs, nextOccurrences, type OccurrenceView, viewOccurrence } from '../core/schedule/occurrences.ts'
import { describeRecurrence } from '../core/schedule/recurrence.ts'
import type { Recurrence, ScheduledTask, ScheduledTaskRun } from '../core/schedule/scheduled-task.ts'
import { canonicalTimeZone, instantOfWallClock, wallClockMs } from '../core/schedule/time-zone.ts'
import { scheduleProblem } from '../core/schedule/validate-schedule.ts'
import type { Collections } from '../ports/store.ts'
import type { ServiceContext } from './context.ts'
import { type ScheduledActionInput, scheduledActionFrom } from './scheduled-task-action.ts'
import { invalid, notFound, requireIntegerIn, requireName } from './validate.ts'

/** Tasks one group may have; a limit on everything (ESS's default quota is of this order). */
export const SCHEDULED_TASKS_PER_GROUP_MAX = 100
/** ESS's default and maximum LaunchExpirationTime. */
export const DEFAULT_LAUNCH_EXPIRATION_SECONDS = 600
export const LAUNCH_EXPIRATION_SECONDS_MAX = 21_600
/** Occurrences a view lists (`billow schedule list` shows them) and a next-occurrences call returns at most. */
export const NEXT_OCCURRENCES_SHOWN = 3
export const NEXT_OCCURRENCES_MAX = 100
const DESCRIPTION_CHARS_MAX = 256

export interface ScheduledTaskInput {
  readonly groupId: ScalingGroupId
  readonly name: string
  readonly description?: string | null
  /** IANA name; the server's zone when absent. */
  readonly timeZone?: string
  /** Local time in the task's zone ("2026-01-05T11:00") or an instant ("…Z", "…+08:00"). */
  readonly launchTime: string
  readonly recurrence?: Recurrence | null
  readonly recurrenceEndTime?: string | null
  readonly windowEndTime?: string | null
  readonly launchExpirationSeconds?: number
  readonly enabled?: boolean
  readonly action: ScheduledActionInput
}

export type ModifyScheduledTaskInput = Partial<Omit<ScheduledTaskInput, 'groupId'>>

export interface ScheduledTaskView extends ScheduledTask {
  readonly launch: OccurrenceView
  readonly recurrenceEnd: OccurrenceView | null
  readonly schedule: string
  readonly nextOccurrences: readonly OccurrenceView[]
}

/** The zone this server's clock is read in (TZ, else the system's), for tasks that name none. */
const serverTimeZone = (): string => canonicalTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone) ?? 'UTC'

const SCHEDULE_FIELDS = ['timeZone', 'launchTime', 'recurrence', 'recurrenceEndTime', 'windowEndTime'] as const

export function scheduledTaskService(context: ServiceContext) {
  const { store, clock } = context

  const view = (task: ScheduledTask): ScheduledTaskView => {
    const launchAtMs = instantOfWallClock(launchWallMs(task), task.timeZone)
    return {
      ...task,
      launch: viewOccurrence(launchAtMs, task.timeZone),
      recurrenceEnd: task.recurrenceEndAtMs === null ? null : viewOccurrence(task.recurrenceEndAtMs, task.timeZone),
      schedule: describeRecurrence(task.recurrence),
      nextOccurrences: upcoming(task, NEXT_OCCURRENCES_SHOWN),
    }
  }

  const upcoming = (task: ScheduledTask, count: number): OccurrenceView[] =>
    nextOccurrences(task, Math.max(clock.nowMs(), task.scheduleFromMs) - 1, count).map((atMs) =>
      viewOccurrence(atMs, task.timeZone),
    )

  async function load(tx: Collections, id: ScheduledTaskId): Promise<ScheduledTask> {
    return (await tx.scheduledTasks.get(id)) ?? notFound('ScheduledTaskNotFound', 'scheduled task', id)
  }

  /** The task as `input` describes it on top of `current` (for a new task, on top of the defaults). */
  async function build(tx: Collections, current: ScheduledTask, input: ModifyScheduledTaskInput) {
    const timeZone = input.timeZone === undefined ? current.timeZone : canonicalTimeZone(input.timeZone)
    if (timeZone === undefined)
      invalid('timeZone', `${input.timeZone} is not an IANA time zone (such as Asia/Shanghai)`)
    const task: ScheduledTask = {
      ...current,
      name: input.name ?? current.name,
      description: input.description === undefined ? current.description : input.description,
      timeZone,
      launchTime:
        input.launchTime === undefined ? current.launchTime : localTime('launchTime', input.launchTime, timeZone),
      recurrence: input.recurrence === undefined ? current.recurrence : input.recurrence,
      recurrenceEndAtMs:
        input.recurrenceEndTime === undefined
          ? current.recurrenceEndAtMs
          : instant('recurrenceEndTime', input.recurrenceEndTime, timeZone),
      windowEndTime: input.windowEndTime === undefined ? current.windowEndTime : input.windowEndTime,
      launchExpirationSeconds: input.launchExpirationSeconds ?? current.launchExpirationSeconds,
      enabled: input.enabled ?? current.enabled,
      action:
        input.action === undefined ? current.action : await scheduledActionFrom(tx, current.groupId, input.action),
    }
    return task
  }

  async function validate(tx: Collections, task: ScheduledTask, options: { scheduleIsNew: boolean }): Promise<void> {
    requireName('name', task.name)
    if (task.description !== null && task.description.length > DESCRIPTION_CHARS_MAX)
      invalid('description', `is longer than ${DESCRIPTION_CHARS_MAX} characters`)
    requireIntegerIn('launchExpirationSeconds', task.launchExpirationSeconds, 0, LAUNCH_EXPIRATION_SECONDS_MAX)
    const problem = scheduleProblem(task, { nowMs: clock.nowMs(), scheduleIsNew: options.scheduleIsNew })
    if (problem) throw new BillowError('InvalidParameterValue', problem.message, { field: problem.field })
    const siblings = await tx.scheduledTasks.list({ groupId: task.groupId })
    const sameName = siblings.find((sibling) => sibling.name === task.name && sibling.id !== task.id)
    if (sameName) {
      throw new BillowError(
        'NameConflict',
        `name: the group has a scheduled task named "${task.name}" (${sameName.id})`,
        {
          field: 'name',
        },
      )
    }
  }

  return {
    view,

    list: async (filter: { groupId?: ScalingGroupId }) => (await store.scheduledTasks.list(filter)).map(view),

    get: (id: ScheduledTaskId) => store.transaction(async (tx) => view(await load(tx, id))),

    create: (input: ScheduledTaskInput) =>
      store.transaction(async (tx) => {
        if (!(await tx.groups.get(input.groupId)))
          notFound('ScalingGroupNotFound', 'scaling group', input.groupId, 'groupId')
        const count = (await tx.scheduledTasks.list({ groupId: input.groupId })).length
        if (count >= SCHEDULED_TASKS_PER_GROUP_MAX) {
          throw new BillowError(
            'QuotaExceeded.ScheduledTask',
            `scaling group ${input.groupId} already has ${SCHEDULED_TASKS_PER_GROUP_MAX} scheduled tasks`,
          )
        }
        const nowMs = clock.nowMs()
        const defaults: ScheduledTask = {
          id: context.ids.next('scheduledTask') as ScheduledTaskId,
          groupId: input.groupId,
          name: input.name,
          description: null,
          timeZone: serverTimeZone(),
          launchTime: '',
          recurrence: null,
          recurrenceEndAtMs: null,
          windowEndTime: null,
          launchExpirationSeconds: DEFAULT_LAUNCH_EXPIRATION_SECONDS,
          enabled: true,
          action: { kind: 'SetGroupSize', minSize: null, maxSize: null, desiredCapacity: null },
          scheduleFromMs: nowMs,
          createdAtMs: nowMs,
          updatedAtMs: nowMs,
        }
        const task = await build(tx, defaults, input)
        await validate(tx, task, { scheduleIsNew: true })
        await tx.scheduledTasks.insert(task)
        return view(task)
      }),

    /** A change of the schedule starts it afresh from now: past occurrences of the new schedule never run. */
    modify: (id: ScheduledTaskId, changes: ModifyScheduledTaskInput) =>
      store.transaction(async (tx) => {
        const current = await load(tx, id)
        const task = await build(tx, current, changes)
        const scheduleChanged = SCHEDULE_FIELDS.some((field) => changes[field] !== undefined)
        const enabling = !current.enabled && task.enabled
        const nowMs = clock.nowMs()
        const next: ScheduledTask = {
          ...task,
          updatedAtMs: nowMs,
          scheduleFromMs: scheduleChanged || enabling ? nowMs : task.scheduleFromMs,
        }
        await validate(tx, next, { scheduleIsNew: scheduleChanged })
        await tx.scheduledTasks.update(next)
        return view(next)
      }),

    /** Enabling starts the schedule from now: occurrences while disabled are not run. */
    setEnabled: (id: ScheduledTaskId, enabled: boolean) =>
      store.transaction(async (tx) => {
        const current = await load(tx, id)
        if (current.enabled === enabled) return view(current)
        const nowMs = clock.nowMs()
        const next: ScheduledTask = {
          ...current,
          enabled,
          updatedAtMs: nowMs,
          scheduleFromMs: enabled ? nowMs : current.scheduleFromMs,
        }
        await tx.scheduledTasks.update(next)
        return view(next)
      }),

    /** The task and its history go; a run already queued finishes as an ordinary activity. */
    remove: (id: ScheduledTaskId) =>
      store.transaction(async (tx) => {
        const task = await load(tx, id)
        await tx.scheduledTaskRuns.deleteForTask(task.id)
        await tx.scheduledTasks.delete(task.id)
      }),

    history: (id: ScheduledTaskId, options: { limit: number }): Promise<readonly ScheduledTaskRun[]> =>
      store.transaction(async (tx) => {
        await load(tx, id)
        return tx.scheduledTaskRuns.list({ taskId: id, limit: options.limit })
      }),

    nextOccurrences: (id: ScheduledTaskId, count: number) =>
      store.transaction(async (tx) => {
        const task = await load(tx, id)
        requireIntegerIn('count', count, 1, NEXT_OCCURRENCES_MAX)
        return { timeZone: task.timeZone, occurrences: upcoming(task, count) }
      }),
  }
}

/** A launch time as the task keeps it: local wall-clock time in its zone. */
function localTime(field: string, text: string, timeZone: string): string {
  const parsed = parseTimeInput(text)
  if (typeof parsed === 'string') invalid(field, parsed)
  return formatWallClock(parsed.kind === 'local' ? parsed.wallMs : wallClockMs(parsed.atMs, timeZone))
}

function instant(field: string, text: string | null, timeZone: string): number | null {
  if (text === null) return null
  const parsed = parseTimeInput(text)
  if (typeof parsed === 'string') invalid(field, parsed)
  return parsed.kind === 'instant' ? parsed.atMs : instantOfWallClock(parsed.wallMs, timeZone)
}
