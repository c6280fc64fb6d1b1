/**
 * `billow alarms`: dynamic mode. An alarm watches a metric statistic of its group over periods
 * and, after enough consecutive breaches, runs the group's rules at each evaluation while it
 * stays in ALARM. `history` shows its state changes and the values behind them.
 */
import type { Command } from 'commander'
import { InvalidArgumentError } from 'commander'
import type { Alarm, AlarmHistoryEntry, MetricSelector } from '../../core/alarms/alarm.ts'
import { describeMetric } from '../../core/alarms/alarm.ts'
import { itemPath } from '../api-paths.ts'
import type { CliContext } from '../context.ts'
import { UsageError } from '../errors.ts'
import { collectKeyValue, integerArgument } from '../option-parsers.ts'
import { renderFields, renderTable, truncate } from '../table.ts'
import { formatTimeWithAge } from '../time-format.ts'

const ALARMS_PATH = '/v1/alarms'
const REASON_CHARS_MAX = 70

interface AlarmFlags {
  readonly group?: string
  readonly name?: string
  readonly metric?: string
  readonly custom?: string
  readonly dimension?: Record<string, string>
  readonly promql?: string
  readonly statistic?: string
  readonly comparison?: string
  readonly threshold?: string
  readonly period?: number
  readonly evaluations?: number
  readonly rule?: string[]
  readonly condition?: string[]
  readonly expression?: string
  readonly description?: string
  readonly disabled?: boolean
  readonly json?: boolean
  readonly limit?: number
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value]

function addFieldOptions(command: Command, { creating }: { creating: boolean }): Command {
  if (creating) command.requiredOption('--group <id>', 'the group whose metric is watched and whose rules run (asg-…)')
  return command
    .option('--name <name>', 'alarm name')
    .option('--metric <name>', 'built-in metric: CpuUtilization, MemoryUtilization, RequestsPerSecond, …')
    .option('--custom <namespace/name>', 'a pushed custom metric instead')
    .option('--dimension <key=value>', 'a dimension of the custom metric (repeatable)', collectKeyValue)
    .option('--promql <query>', 'a PromQL query instead (needs a Prometheus configured on the server)')
    .option('--statistic <name>', 'Average, Maximum, Minimum, Sum, SampleCount, p50, p90, p99', 'Average')
    .option('--comparison <op>', "'>', '>=', '<' or '<='")
    .option('--threshold <number>', 'threshold value')
    .option('--period <seconds>', 'period: 1 to 3600 s (the clouds use 60)', integerArgument('--period', 1))
    .option('--evaluations <n>', 'consecutive breaching periods before it fires', integerArgument('--evaluations', 1))
    .option('--rule <id-or-ari>', 'a rule of the group to run while in ALARM (repeatable)', collect)
    .option(
      '--condition <json>',
      'a further condition as JSON {"id","metric","statistic","comparison","threshold"}',
      collect,
    )
    .option('--expression <text>', 'combine condition ids with && and ||, e.g. "m1 && (m2 || m3)"')
    .option('--description <text>', 'what the alarm is for')
    .option('--json', 'print the raw JSON response')
}

function metricFrom(flags: AlarmFlags): MetricSelector | undefined {
  const chosen = [flags.metric, flags.custom, flags.promql].filter((value) => value !== undefined)
  if (chosen.length > 1) throw new UsageError('give one of --metric, --custom and --promql')
  if (flags.metric !== undefined) return { kind: 'Builtin', name: flags.metric }
  if (flags.promql !== undefined) return { kind: 'PromQL', query: flags.promql }
  if (flags.custom !== undefined) {
    const slash = flags.custom.lastIndexOf('/')
    if (slash <= 0) throw new UsageError('--custom takes namespace/name, e.g. shop/QueueLength')
    return {
      kind: 'Custom',
      namespace: flags.custom.slice(0, slash),
      name: flags.custom.slice(slash + 1),
      dimensions: flags.dimension ?? {},
    }
  }
  return undefined
}

function bodyFrom(flags: AlarmFlags, creating: boolean): Record<string, unknown> {
  const metric = metricFrom(flags)
  const conditions: unknown[] = []
  if (metric !== undefined) {
    if (flags.comparison === undefined || flags.threshold === undefined) {
      throw new UsageError('a metric needs --comparison and --threshold')
    }
    conditions.push({
      id: 'm1',
      metric,
      statistic: flags.statistic,
      comparison: flags.comparison,
      threshold: Number(flags.threshold),
    })
  }
  for (const text of flags.condition ?? []) {
    try {
      conditions.push(JSON.parse(text))
    } catch {
      throw new InvalidArgumentError(`--condition: not JSON: ${text}`)
    }
  }
  if (creating && conditions.length === 0)
    throw new UsageError('give a metric (--metric, --custom or --promql) or --condition')
  const body: Record<string, unknown> = {
    ...(creating ? { groupId: flags.group } : {}),
    name: flags.name,
    description: flags.description,
    periodSeconds: flags.period ?? (creating ? 60 : undefined),
    evaluationCount: flags.evaluations,
    actions: flags.rule,
    expression: flags.expression,
    ...(conditions.length > 0 ? { conditions } : {}),
    ...(flags.disabled ? { enabled: false } : {}),
  }
  if (creating && body.name === undefined) throw new UsageError('--name is required')
  if (creating && body.actions === undefined) throw new UsageError('name at least one --rule to run')
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined))
}

const alarmPath = (id: string) => itemPath(ALARMS_PATH, id)

export function registerAlarmCommands(program: Command, context: CliContext): void {
  const alarms = program
    .command('alarms')
    .description('alarms: run rules when a metric crosses a threshold (dynamic mode)')
  const show = (flags: AlarmFlags, alarm: Alarm) =>
    context.output(flags.json, alarm, () => renderAlarm(alarm, context.io.nowMs()))

  addFieldOptions(alarms.command('create').description('create an alarm'), { creating: true })
    .option('--disabled', 'create it disabled')
    .action(async (flags: AlarmFlags, command: Command) => {
      show(flags, await context.client(command).post<Alarm>(ALARMS_PATH, bodyFrom(flags, true)))
    })

  alarms
    .command('list')
    .description('list alarms with their state')
    .option('--group <id>', 'only the alarms of this group')
    .option('--json', 'print the raw JSON response')
    .action(async (flags: AlarmFlags, command: Command) => {
      const body = await context.client(command).get<{ alarms: Alarm[] }>(ALARMS_PATH, { groupId: flags.group })
      context.output(flags.json, body, () => renderAlarmTable(body.alarms))
    })

  alarms
    .command('describe')
    .argument('<id>', 'alarm id (alarm-…)')
    .description('show one alarm, its state and why')
    .option('--json', 'print the raw JSON response')
    .action(async (id: string, flags: AlarmFlags, command: Command) => {
      show(flags, await context.client(command).get<Alarm>(alarmPath(id)))
    })

  addFieldOptions(alarms.command('modify').description('change the given fields'), { creating: false })
    .argument('<id>', 'alarm id (alarm-…)')
    .action(async (id: string, flags: AlarmFlags, command: Command) => {
      const body = bodyFrom(flags, false)
      if (Object.keys(body).length === 0) throw new UsageError('nothing to modify: give at least one field flag')
      show(flags, await context.client(command).patch<Alarm>(alarmPath(id), body))
    })

  for (const verb of ['enable', 'disable'] as const) {
    alarms
      .command(verb)
      .argument('<id>', 'alarm id (alarm-…)')
      .description(`${verb} an alarm`)
      .option('--json', 'print the raw JSON response')
      .action(async (id: string, flags: AlarmFlags, command: Command) => {
        show(flags, await context.client(command).post<Alarm>(`${alarmPath(id)}/${verb}`, {}))
      })
  }

  alarms
    .command('delete')
    .argument('<id>', 'alarm id (alarm-…)')
    .description('delete an alarm and its history')
    .action(async (id: string, _flags: AlarmFlags, command: Command) => {
      await context.client(command).delete(alarmPath(id))
      context.print(`deleted ${id}`)
    })

  alarms
    .command('history')
    .argument('<id>', 'alarm id (alarm-…)')
    .description('state changes, newest first, with the values that caused them')
    .option('--limit <n>', 'entries to show', integerArgument('--limit', 1), 20)
    .option('--json', 'print the raw JSON response')
    .action(async (id: string, flags: AlarmFlags, command: Command) => {
      const body = await context
        .client(command)
        .get<{ history: AlarmHistoryEntry[] }>(`${alarmPath(id)}/history`, { limit: String(flags.limit ?? 20) })
      context.output(flags.json, body, () =>
        renderTable(
          ['time', 'from', 'to', 'values', 'reason'],
          body.history.map((entry) => [
            formatTimeWithAge(entry.atMs, context.io.nowMs()),
            entry.from,
            entry.to,
            Object.entries(entry.values)
              .map(([key, value]) => `${key}=${value === null ? 'no data' : round(value)}`)
              .join(' '),
            truncate(entry.reason, REASON_CHARS_MAX),
          ]),
        ),
      )
    })
}

const conditionText = (alarm: Alarm): string =>
  alarm.conditions
    .map(
      (condition) =>
        `${condition.id}: ${condition.statistic} ${describeMetric(condition.metric)} ${condition.comparison} ${condition.threshold}`,
    )
    .join('; ')

function renderAlarm(alarm: Alarm, nowMs: number): string {
  return renderFields([
    ['id', alarm.id],
    ['name', alarm.name],
    ['group', alarm.groupId],
    ['state', alarm.state],
    ['why', alarm.stateReason],
    ['since', formatTimeWithAge(alarm.stateChangedAtMs, nowMs)],
    ['conditions', conditionText(alarm)],
    ['expression', alarm.expression ?? (alarm.conditions.length > 1 ? 'all (&&)' : null)],
    ['period', `${alarm.periodSeconds}s × ${alarm.evaluationCount}`],
    ['actions', alarm.actions.join(', ')],
    ['enabled', alarm.enabled],
  ])
}

function renderAlarmTable(alarms: readonly Alarm[]): string {
  return renderTable(
    ['id', 'name', 'group', 'state', 'condition', 'period', 'enabled'],
    alarms.map((alarm) => [
      alarm.id,
      alarm.name,
      alarm.groupId,
      alarm.state,
      truncate(conditionText(alarm), REASON_CHARS_MAX),
      `${alarm.periodSeconds}s × ${alarm.evaluationCount}`,
      alarm.enabled,
    ]),
  )
}

const round = (value: number): number => Math.round(value * 100) / 100
