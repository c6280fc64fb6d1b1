/**
 * `billow rules`: scaling rules say how to change a group's capacity; `execute` runs one now
 * (by id or by its ARI) and answers with the activity it queued.
 */
import { type Command, Option } from 'commander'
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
  readonly json?: boolean
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
