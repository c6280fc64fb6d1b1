/**
 * `billow rules`: scaling rules say how to change a group's capacity; `execute` runs one now
 * (by id or by its ARI) and answers with the activity it queued.
 */
import { type Command, InvalidArgumentError, Option } from 'commander'
import { ADJUSTMENT_TYPES } from '../../core/types.ts'
import { addWaitOptions, reportActivity, type WaitFlags } from '../activity-result.ts'
import { API_PATHS, itemPath } from '../api-paths.ts'
import type { Activity, RuleView } from '../api-types.ts'
import type { CliContext } from '../context.ts'
import { UsageError } from '../errors.ts'
import { integerArgument } from '../option-parsers.ts'
import { renderFields, renderTable } from '../table.ts'
import { formatTimeWithAge } from '../time-format.ts'

interface RuleFlags {
  readonly group?: string
  readonly name?: string
  readonly type?: string
  readonly value?: number
  readonly minMagnitude?: number
  readonly clearMinMagnitude?: boolean
  readonly cooldown?: number
  readonly clearCooldown?: boolean
  readonly step?: readonly StepFlag[]
  readonly targetMetric?: string
  readonly targetValue?: string
  readonly disableScaleIn?: boolean
  readonly warmup?: number
  readonly json?: boolean
}

interface StepFlag {
  readonly lowerBound: number | null
  readonly upperBound: number | null
  readonly adjustmentValue: number
}

/** `--step LOWER:UPPER:ADJUSTMENT`, a bound left empty for none: `0:10:1`, `30::5`, `:-10:-2`. */
function collectStep(value: string, previous: readonly StepFlag[] | undefined): StepFlag[] {
  const parts = value.split(':')
  const bound = (text: string | undefined) => (text === undefined || text === '' ? null : Number(text))
  const step = { lowerBound: bound(parts[0]), upperBound: bound(parts[1]), adjustmentValue: Number(parts[2]) }
  if (parts.length !== 3 || [step.lowerBound, step.upperBound, step.adjustmentValue].some((n) => Number.isNaN(n))) {
    throw new InvalidArgumentError(`--step takes LOWER:UPPER:ADJUSTMENT (a bound may be empty), got ${value}`)
  }
  return [...(previous ?? []), step]
}

function addFieldOptions(command: Command, { creating }: { creating: boolean }): Command {
  const mandatory = (option: Option) => option.makeOptionMandatory(creating)
  if (creating) command.requiredOption('--group <id>', 'group the rule scales (asg-…)')
  command
    .addOption(mandatory(new Option('--name <name>', 'rule name')))
    .addOption(mandatory(new Option('--type <adjustment-type>', 'how --value is read').choices(ADJUSTMENT_TYPES)))
    .addOption(
      mandatory(
        new Option('--value <n>', 'instances to add (negative: remove), percent, or total').argParser(
          integerArgument('--value', Number.MIN_SAFE_INTEGER),
        ),
      ),
    )
    .option(
      '--min-magnitude <n>',
      'for PercentChangeInCapacity: change at least this many instances',
      integerArgument('--min-magnitude', 1),
    )
    .option('--cooldown <seconds>', "overrides the group's default cooldown", integerArgument('--cooldown'))
    .option(
      '--step <lower:upper:adjustment>',
      'a step rule: adjust by the distance past the alarm threshold (repeatable)',
      collectStep,
    )
    .option(
      '--target-metric <name>',
      'a target-tracking rule: hold this built-in metric (CpuUtilization, …) at --target-value',
    )
    .option('--target-value <n>', 'the target value of --target-metric')
    .option('--disable-scale-in', 'target tracking: never remove instances')
    .option(
      '--warmup <seconds>',
      'target tracking: instance warm-up before scale-in (default 60)',
      integerArgument('--warmup'),
    )
  if (!creating) {
    command
      .option('--clear-min-magnitude', 'remove the minimum adjustment magnitude')
      .option('--clear-cooldown', "use the group's default cooldown again")
  }
  return command.option('--json', 'print the raw JSON response')
}

function bodyFrom(flags: RuleFlags): Record<string, unknown> {
  if (flags.minMagnitude !== undefined && flags.clearMinMagnitude) {
    throw new UsageError('give either --min-magnitude or --clear-min-magnitude')
  }
  if (flags.cooldown !== undefined && flags.clearCooldown)
    throw new UsageError('give either --cooldown or --clear-cooldown')
  const body: Record<string, unknown> = {}
  if (flags.group !== undefined) body.groupId = flags.group
  if (flags.name !== undefined) body.name = flags.name
  if (flags.type !== undefined) body.adjustmentType = flags.type
  if (flags.value !== undefined) body.adjustmentValue = flags.value
  if (flags.minMagnitude !== undefined) body.minAdjustmentMagnitude = flags.minMagnitude
  if (flags.clearMinMagnitude) body.minAdjustmentMagnitude = null
  if (flags.cooldown !== undefined) body.cooldownSeconds = flags.cooldown
  if (flags.clearCooldown) body.cooldownSeconds = null
  if (flags.step !== undefined) {
    body.ruleType = 'Step'
    body.stepAdjustments = flags.step
  }
  if (flags.targetMetric !== undefined || flags.targetValue !== undefined) {
    if (flags.targetMetric === undefined || flags.targetValue === undefined) {
      throw new UsageError('a target-tracking rule needs --target-metric and --target-value')
    }
    body.ruleType = 'TargetTracking'
    body.targetTracking = {
      metric: { kind: 'Builtin', name: flags.targetMetric },
      targetValue: Number(flags.targetValue),
      disableScaleIn: flags.disableScaleIn === true,
      instanceWarmupSeconds: flags.warmup ?? 60,
    }
  }
  return body
}

export function registerRuleCommands(program: Command, context: CliContext): void {
  const rules = program.command('rules').description('scaling rules: how to change a group’s capacity')
  const rulePath = (id: string) => itemPath(API_PATHS.rules, id)
  const show = (flags: RuleFlags, rule: RuleView) =>
    context.output(flags.json, rule, () => renderRule(rule, context.io.nowMs()))

  addFieldOptions(rules.command('create').description('create a scaling rule'), { creating: true }).action(
    async (flags: RuleFlags, command: Command) => {
      show(flags, await context.client(command).post<RuleView>(API_PATHS.rules, bodyFrom(flags)))
    },
  )

  rules
    .command('list')
    .description('list scaling rules')
    .option('--group <id>', 'only the rules of this group')
    .option('--json', 'print the raw JSON response')
    .action(async (flags: RuleFlags, command: Command) => {
      const body = await context.client(command).get<{ rules: RuleView[] }>(API_PATHS.rules, { groupId: flags.group })
      context.output(flags.json, body, () =>
        body.rules.length === 0
          ? 'no scaling rules: create one with `billow rules create`'
          : renderTable(
              ['id', 'name', 'group', 'type', 'value', 'min magnitude', 'cooldown', 'ari'],
              body.rules.map((rule) => [
                rule.id,
                rule.name,
                rule.groupId,
                rule.adjustmentType,
                rule.adjustmentValue,
                rule.minAdjustmentMagnitude,
                rule.cooldownSeconds === null ? null : `${rule.cooldownSeconds}s`,
                rule.ari,
              ]),
            ),
      )
    })

  rules
    .command('describe')
    .description('show one scaling rule')
    .argument('<id>', 'rule id (asr-…)')
    .option('--json', 'print the raw JSON response')
    .action(async (id: string, flags: RuleFlags, command: Command) => {
      show(flags, await context.client(command).get<RuleView>(rulePath(id)))
    })

  addFieldOptions(rules.command('modify').description('change the given fields of a rule'), { creating: false })
    .argument('<id>', 'rule id (asr-…)')
    .action(async (id: string, flags: RuleFlags, command: Command) => {
      const body = bodyFrom(flags)
      if (Object.keys(body).length === 0) throw new UsageError('nothing to modify: give at least one field flag')
      show(flags, await context.client(command).patch<RuleView>(rulePath(id), body))
    })

  rules
    .command('delete')
    .description('delete a scaling rule')
    .argument('<id>', 'rule id (asr-…)')
    .action(async (id: string, _flags: unknown, command: Command) => {
      await context.client(command).delete(rulePath(id))
      context.print(`deleted ${id}`)
    })

  addWaitOptions(
    rules
      .command('execute')
      .description("run a rule now; refused (Rejected) during the group's cooldown unless --ignore-cooldown")
      .argument('<id-or-ari>', 'rule id (asr-…) or ARI')
      .option('--ignore-cooldown', "run even while the group's cooldown lasts"),
  ).action(async (idOrAri: string, flags: WaitFlags & { ignoreCooldown?: boolean }, command: Command) => {
    const client = context.client(command)
    const activity = await client.post<Activity>(`${rulePath(idOrAri)}/execute`, {
      ignoreCooldown: Boolean(flags.ignoreCooldown),
    })
    await reportActivity(context, client, activity, flags)
  })
}

function renderRule(rule: RuleView, nowMs: number): string {
  return renderFields([
    ['id', rule.id],
    ['name', rule.name],
    ['group', rule.groupId],
    ['adjustment type', rule.adjustmentType],
    ['adjustment value', rule.adjustmentValue],
    ['min magnitude', rule.minAdjustmentMagnitude],
    ['cooldown', rule.cooldownSeconds === null ? "the group's default" : `${rule.cooldownSeconds}s`],
    ['ari', rule.ari],
    ['created', formatTimeWithAge(rule.createdAtMs, nowMs)],
  ])
}
