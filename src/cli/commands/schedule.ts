/**
 * `billow schedule`: scheduled tasks (scheduled mode). A task runs a rule, or sets min / max /
 * desired, at a local time in its time zone, once or on a recurrence; `list` shows each task's
 * next three occurrences in local time and UTC, `history` every run and skip.
 */
import type { Command } from 'commander'
import { type OccurrenceView, viewOccurrence } from '../../core/schedule/occurrences.ts'
import type { ScheduledTask, ScheduledTaskRun } from '../../core/schedule/scheduled-task.ts'
import { itemPath } from '../api-paths.ts'
import type { CliContext } from '../context.ts'
import { UsageError } from '../errors.ts'
import { integerArgument } from '../option-parsers.ts'
import { type ScheduleFlags, scheduleBodyFrom } from '../schedule-args.ts'
import { renderFields, renderTable, truncate } from '../table.ts'
import { formatTimeWithAge } from '../time-format.ts'

/** GET /v1/scheduled-tasks/ID: the task with its launch and next occurrences, local and UTC. */
export interface ScheduledTaskView extends ScheduledTask {
  readonly launch: OccurrenceView
  readonly recurrenceEnd: OccurrenceView | null
  readonly schedule: string
  readonly nextOccurrences: readonly OccurrenceView[]
}

const SCHEDULED_TASKS_PATH = '/v1/scheduled-tasks'
/** History entries `schedule history` asks for unless told. */
const HISTORY_DEFAULT_LIMIT = 20
const REASON_CHARS_MAX = 60

function addFieldOptions(command: Command, { creating }: { creating: boolean }): Command {
  if (creating) command.requiredOption('--group <id>', 'group the task acts on (asg-…)')
  const name = '--name <name>'
  if (creating) command.requiredOption(name, 'task name')
  else command.option(name, 'task name')
  const at = '--at <time>'
  const atText = 'launch time: local "2026-01-05 11:00" in --time-zone, or an instant "2026-01-05T03:00Z"'
  if (creating) command.requiredOption(at, atText)
  else command.option(at, atText)
  command
    .option('--time-zone <iana>', "IANA time zone, e.g. Asia/Shanghai (default: the server's)")
    .option('--daily [n]', 'repeat every n days (default 1)')
    .option('--weekly <days>', 'repeat on these weekdays: mon,fri or 1-5 (0 = Sunday)')
    .option('--monthly <days>', 'repeat on these days of the month: 1,15 or 1-5')
    .option('--cron <expression>', 'repeat by a five-field cron expression, in local time')
    .option('--until <time>', 'the recurrence ends at this time (local or instant)')
    .option('--window-end <HH:MM>', 'window form: revert the change at this local time ("11:00–13:00")')
    .option(
      '--expiration <seconds>',
      'launch expiration: how long a refused run is retried (default 600)',
      integerArgument('--expiration'),
    )
    .option('--rule <id-or-ari>', 'action: execute this scaling rule of the group')
    .option('--min <n>', 'action: set the min size', integerArgument('--min'))
    .option('--max <n>', 'action: set the max size', integerArgument('--max'))
    .option('--desired <n>', 'action: set the desired capacity', integerArgument('--desired'))
    .option('--description <text>', 'what the task is for')
  if (creating) command.option('--disabled', 'create it disabled')
  else {
    command
      .option('--once', 'make it a one-time task (drop the recurrence)')
      .option('--clear-until', 'the recurrence never ends')
      .option('--clear-window', 'make it a point task (no revert)')
  }
  return command.option('--json', 'print the raw JSON response')
}

const taskPath = (id: string) => itemPath(SCHEDULED_TASKS_PATH, id)

/** Subcommands in help order: create, list, describe, modify, enable, disable, delete, history. */
export function registerScheduleCommands(program: Command, context: CliContext): void {
  const schedule = program.command('schedule').description('scheduled tasks: scale at set times, in your time zone')
  registerCreateAndRead(schedule, context)
  registerChanges(schedule, context)
  registerHistory(schedule, context)
}

const showTask = (context: CliContext, flags: { json?: boolean }, task: ScheduledTaskView) =>
  context.output(flags.json, task, () => renderTask(task, context.io.nowMs()))

function registerCreateAndRead(schedule: Command, context: CliContext): void {
  addFieldOptions(schedule.command('create').description('create a scheduled task'), { creating: true }).action(
    async (flags: ScheduleFlags, command: Command) => {
      const body = scheduleBodyFrom(flags, { creating: true })
      showTask(context, flags, await context.client(command).post<ScheduledTaskView>(SCHEDULED_TASKS_PATH, body))
    },
  )

  schedule
    .command('list')
    .description('list scheduled tasks with their next three occurrences, local and UTC')
    .option('--group <id>', 'only the tasks of this group')
    .option('--json', 'print the raw JSON response')
    .action(async (flags: ScheduleFlags, command: Command) => {
      const body = await context
        .client(command)
        .get<{ scheduledTasks: ScheduledTaskView[] }>(SCHEDULED_TASKS_PATH, { groupId: flags.group })
      context.output(flags.json, body, () => renderTaskTable(body.scheduledTasks))
    })

  schedule
    .command('describe')
    .description('show one scheduled task')
    .argument('<id>', 'task id (sst-…)')
    .option('--json', 'print the raw JSON response')
    .action(async (id: string, flags: ScheduleFlags, command: Command) => {
      showTask(context, flags, await context.client(command).get<ScheduledTaskView>(taskPath(id)))
    })
}

function registerChanges(schedule: Command, context: CliContext): void {
  addFieldOptions(schedule.command('modify').description('change the given fields (a new schedule starts from now)'), {
    creating: false,
  })
    .argument('<id>', 'task id (sst-…)')
    .action(async (id: string, flags: ScheduleFlags, command: Command) => {
      const body = scheduleBodyFrom(flags, { creating: false })
      if (Object.keys(body).length === 0) throw new UsageError('nothing to modify: give at least one field flag')
      showTask(context, flags, await context.client(command).patch<ScheduledTaskView>(taskPath(id), body))
    })

  for (const [verb, text] of [
    ['enable', 'enable a task; its schedule starts from now'],
    ['disable', 'disable a task; it does not run until enabled'],
  ] as const) {
    schedule
      .command(verb)
      .description(text)
      .argument('<id>', 'task id (sst-…)')
      .option('--json', 'print the raw JSON response')
      .action(async (id: string, flags: ScheduleFlags, command: Command) => {
        showTask(context, flags, await context.client(command).post<ScheduledTaskView>(`${taskPath(id)}/${verb}`, {}))
      })
  }

  schedule
    .command('delete')
    .description('delete a scheduled task and its history')
    .argument('<id>', 'task id (sst-…)')
    .action(async (id: string, _flags: unknown, command: Command) => {
      await context.client(command).delete(taskPath(id))
      context.print(`deleted ${id}`)
    })
}

function registerHistory(schedule: Command, context: CliContext): void {
  schedule
    .command('history')
    .description("a task's runs and skips, newest first")
    .argument('<id>', 'task id (sst-…)')
    .option('--limit <n>', `entries to show (default ${HISTORY_DEFAULT_LIMIT})`, integerArgument('--limit', 1))
    .option('--json', 'print the raw JSON response')
    .action(async (id: string, flags: { limit?: number; json?: boolean }, command: Command) => {
      const client = context.client(command)
      const task = await client.get<ScheduledTaskView>(taskPath(id))
      const body = await client.get<{ runs: ScheduledTaskRun[] }>(`${taskPath(id)}/history`, {
        limit: String(flags.limit ?? HISTORY_DEFAULT_LIMIT),
      })
      context.output(flags.json, body, () => renderHistory(task, body.runs))
    })
}

/** "2026-01-05 11:00" from the API's "2026-01-05T11:00". */
const local = (occurrence: OccurrenceView): string => occurrence.local.replace('T', ' ')
/** "2026-01-05 03:00Z" from the API's "2026-01-05T03:00:00Z". */
const utc = (occurrence: OccurrenceView): string => `${occurrence.utc.slice(0, 16).replace('T', ' ')}Z`

function describeAction(task: ScheduledTask): string {
  const { action } = task
  if (action.kind === 'ExecuteRule') return `execute rule ${action.ruleId}`
  const parts = [
    action.minSize === null ? '' : `min ${action.minSize}`,
    action.maxSize === null ? '' : `max ${action.maxSize}`,
    action.desiredCapacity === null ? '' : `desired ${action.desiredCapacity}`,
  ].filter(Boolean)
  return `set ${parts.join(', ')}`
}

const describeSchedule = (task: ScheduledTaskView): string =>
  `${task.schedule} at ${local(task.launch).slice(11)}${task.windowEndTime ? `–${task.windowEndTime}` : ''} ${task.timeZone}`

function renderTaskTable(tasks: readonly ScheduledTaskView[]): string {
  if (tasks.length === 0) return 'no scheduled tasks: create one with `billow schedule create`'
  return renderTable(
    ['id', 'name', 'group', 'schedule', 'action', 'enabled', 'next (local)', 'next (UTC)'],
    tasks.map((task) => [
      task.id,
      task.name,
      task.groupId,
      describeSchedule(task),
      describeAction(task),
      task.enabled,
      task.nextOccurrences.map(local).join('\n') || 'none',
      task.nextOccurrences.map(utc).join('\n') || 'none',
    ]),
  )
}

function renderTask(task: ScheduledTaskView, nowMs: number): string {
  return renderFields([
    ['id', task.id],
    ['name', task.name],
    ['group', task.groupId],
    ['description', task.description],
    ['time zone', task.timeZone],
    ['launch time', `${local(task.launch)} (${utc(task.launch)})`],
    ['schedule', describeSchedule(task)],
    ['recurrence ends', task.recurrenceEnd ? `${local(task.recurrenceEnd)} (${utc(task.recurrenceEnd)})` : null],
    ['window', task.windowEndTime ? `reverted at ${task.windowEndTime} unless the group changed since` : null],
    ['action', describeAction(task)],
    ['launch expiration', `${task.launchExpirationSeconds}s`],
    ['enabled', task.enabled],
    ['next occurrences', task.nextOccurrences.map((next) => `${local(next)} (${utc(next)})`).join('\n') || 'none'],
    ['created', formatTimeWithAge(task.createdAtMs, nowMs)],
  ])
}

function renderHistory(task: ScheduledTaskView, runs: readonly ScheduledTaskRun[]): string {
  if (runs.length === 0) return `no runs yet; next: ${task.nextOccurrences.map(local).join(', ') || 'none'}`
  return renderTable(
    [`occurrence (${task.timeZone})`, 'occurrence (UTC)', 'phase', 'status', 'count', 'activity', 'reason'],
    runs.map((run) => [
      local(viewOccurrence(run.occurrenceAtMs, task.timeZone)),
      utc(viewOccurrence(run.occurrenceAtMs, task.timeZone)),
      run.phase,
      run.status,
      run.occurrenceCount,
      run.activityId,
      truncate(run.reason, REASON_CHARS_MAX),
    ]),
  )
}
