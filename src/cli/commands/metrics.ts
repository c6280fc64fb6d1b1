/**
 * `billow metrics get|put` and `billow why`: a metric's statistic per period (a table, or a
 * sparkline), custom points pushed by hand or from a script, and the group's decision log: why
 * it did or did not scale.
 */
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import type { ScalingDecision } from '../../core/alarms/decision.ts'
import type { Datapoint } from '../../core/metrics/datapoints.ts'
import { groupPath } from '../api-paths.ts'
import type { CliContext } from '../context.ts'
import { UsageError } from '../errors.ts'
import { collectKeyValue, integerArgument } from '../option-parsers.ts'
import { sparkline } from '../sparkline.ts'
import { renderTable, truncate } from '../table.ts'
import { formatTime, formatTimeWithAge } from '../time-format.ts'

const METRICS_PATH = '/v1/metrics'
const REASON_CHARS_MAX = 90
/** Decisions shown under a group's metric. */
const DECISIONS_BESIDE = 3

interface MetricFlags {
  readonly group?: string
  readonly instance?: string
  readonly namespace?: string
  readonly dimension?: Record<string, string>
  readonly statistic: string
  readonly period: number
  readonly since: number
  readonly sparkline?: boolean
  readonly file?: string
  readonly limit?: number
  readonly json?: boolean
}

export function registerMetricCommands(program: Command, context: CliContext): void {
  const metrics = program.command('metrics').description('metrics: query statistics, push custom points')

  metrics
    .command('get')
    .argument('<name>', 'metric name: CpuUtilization, RequestsPerSecond, … or a custom one with --namespace')
    .description("a metric's statistic per period, over a group (instances past warm-up) or one instance")
    .option('--group <id>', 'the group (built-in metrics)')
    .option('--instance <id>', 'one instance instead of the whole group')
    .option('--namespace <ns>', 'custom metric namespace (default: billow, the built-in metrics)')
    .option('--dimension <key=value>', 'a dimension of the custom metric (repeatable)', collectKeyValue)
    .option('--statistic <name>', 'Average, Maximum, Minimum, Sum, SampleCount, p50, p90, p99', 'Average')
    .option('--period <seconds>', 'period length', integerArgument('--period', 1), 60)
    .option('--since <minutes>', 'how far back', integerArgument('--since', 1), 60)
    .option('--sparkline', 'one line: a sparkline with the last value and the range')
    .option('--json', 'print the raw JSON response')
    .action(async (name: string, flags: MetricFlags, command: Command) => {
      const toMs = context.io.nowMs()
      const body = await context.client(command).get<{ datapoints: Datapoint[] }>(METRICS_PATH, {
        name,
        groupId: flags.group,
        instanceId: flags.instance,
        namespace: flags.namespace,
        dimensions: flags.dimension ? JSON.stringify(flags.dimension) : undefined,
        statistic: flags.statistic,
        periodSeconds: flags.period,
        fromMs: toMs - flags.since * 60_000,
        toMs,
      })
      // Beside a group's metric, the group's latest decisions: what its alarms made of it.
      const decisions =
        flags.group === undefined || flags.json
          ? []
          : (
              await context
                .client(command)
                .get<{ decisions: ScalingDecision[] }>(`${groupPath(flags.group)}/decisions`, {
                  limit: DECISIONS_BESIDE,
                })
            ).decisions
      context.output(flags.json, body, () =>
        [
          flags.sparkline
            ? sparklineLine(name, flags.statistic, body.datapoints)
            : tableOf(body.datapoints, flags.statistic),
          ...decisions.map(
            (decision) =>
              `  why ${formatTime(decision.atMs)} ${decision.outcome}: ${truncate(decision.reason, REASON_CHARS_MAX)}`,
          ),
        ].join('\n'),
      )
    })

  metrics
    .command('put')
    .argument('[metric]', 'namespace/name, e.g. shop/QueueLength')
    .argument('[value]', 'the value')
    .description('push custom metric points: one from the arguments, or a batch from --file (JSON array)')
    .option('--dimension <key=value>', 'a dimension (repeatable)', collectKeyValue)
    .option('--file <path>', 'JSON array of {namespace, name, dimensions?, value, timestampMs?}; - for stdin')
    .option('--json', 'print the raw JSON response')
    .action(async (metric: string | undefined, value: string | undefined, flags: MetricFlags, command: Command) => {
      let points: unknown[]
      if (flags.file !== undefined) {
        points = JSON.parse(readFileSync(flags.file === '-' ? 0 : flags.file, 'utf8')) as unknown[]
      } else {
        const slash = metric?.lastIndexOf('/') ?? -1
        if (metric === undefined || slash <= 0 || value === undefined) {
          throw new UsageError('give namespace/name and a value, or --file')
        }
        points = [
          {
            namespace: metric.slice(0, slash),
            name: metric.slice(slash + 1),
            value: Number(value),
            ...(flags.dimension ? { dimensions: flags.dimension } : {}),
          },
        ]
      }
      const body = await context.client(command).post<{ accepted: number }>(METRICS_PATH, { points })
      context.output(flags.json, body, () => `accepted ${body.accepted} point(s)`)
    })

  program
    .command('why')
    .argument('<group>', 'group id (asg-…)')
    .description("why the group did or did not scale: its alarms' decisions, newest first")
    .option('--limit <n>', 'entries to show', integerArgument('--limit', 1), 20)
    .option('--json', 'print the raw JSON response')
    .action(async (group: string, flags: MetricFlags, command: Command) => {
      const body = await context
        .client(command)
        .get<{ decisions: ScalingDecision[] }>(`${groupPath(group)}/decisions`, { limit: flags.limit })
      context.output(flags.json, body, () =>
        body.decisions.length === 0
          ? 'no decisions yet: the group has no enabled alarm, or none has been evaluated'
          : renderTable(
              ['time', 'outcome', 'activity', 'why'],
              body.decisions.map((decision) => [
                formatTimeWithAge(decision.atMs, context.io.nowMs()),
                decision.outcome,
                decision.activityId,
                truncate(decision.reason, REASON_CHARS_MAX),
              ]),
            ),
      )
    })
}

function tableOf(datapoints: readonly Datapoint[], statistic: string): string {
  return renderTable(
    ['period start', statistic],
    datapoints.map((point) => [formatTime(point.atMs), point.value === null ? 'no data' : round(point.value)]),
  )
}

function sparklineLine(name: string, statistic: string, datapoints: readonly Datapoint[]): string {
  const values = datapoints.map((point) => point.value)
  const present = values.filter((value): value is number => value !== null)
  const range =
    present.length === 0 ? 'no data' : `min ${round(Math.min(...present))} max ${round(Math.max(...present))}`
  const last = present.at(-1)
  return `${name} ${statistic} ${sparkline(values)} ${last === undefined ? '' : `last ${round(last)} `}(${range})`
}

const round = (value: number): number => Math.round(value * 100) / 100
