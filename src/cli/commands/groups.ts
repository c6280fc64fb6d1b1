/**
 * `billow groups`: create, inspect, change and delete scaling groups. The instance and capacity
 * actions on a group live in `group-actions.ts`.
 */
import { type Command, Option } from 'commander'
import { API_PATHS, groupPath } from '../api-paths.ts'
import type { Activity, GroupView, Instance } from '../api-types.ts'
import type { CliContext } from '../context.ts'
import { UsageError } from '../errors.ts'
import { collectRemovalPolicy, collectZone, integerArgument } from '../option-parsers.ts'
import { renderActivityTable } from '../views/activities.ts'
import { renderGroup, renderGroupTable } from '../views/groups.ts'
import { renderInstanceTable } from '../views/instances.ts'
import { registerGroupActionCommands } from './group-actions.ts'
import {
  type AttachmentFlags,
  addAttachmentOptions,
  attachmentBodyFrom,
  registerGroupAttachmentCommands,
} from './group-attachments.ts'

interface GroupFlags extends AttachmentFlags {
  readonly name?: string
  readonly min?: number
  readonly max?: number
  readonly desired?: number
  readonly initial?: number
  readonly clearDesired?: boolean
  readonly cooldown?: number
  readonly lc?: string
  readonly zone?: { zoneId: string; subnet: string }[]
  readonly removalPolicy?: string[]
  readonly json?: boolean
}

/** How many recent activities `groups describe` shows. */
const DESCRIBE_ACTIVITIES_LIMIT = 5

function addFieldOptions(command: Command, { creating }: { creating: boolean }): Command {
  // The same flags create and modify a group; creating needs the ones without a server default.
  const option = (flags: string, text: string, { required = false } = {}) =>
    new Option(flags, text).makeOptionMandatory(creating && required)
  command
    .addOption(option('--name <name>', 'group name', { required: true }))
    .addOption(option('--min <n>', 'minimum size', { required: true }).argParser(integerArgument('--min')))
    .addOption(option('--max <n>', 'maximum size', { required: true }).argParser(integerArgument('--max')))
    .addOption(option('--desired <n>', 'desired capacity').argParser(integerArgument('--desired')))
    .addOption(
      option('--initial <n>', 'alias of --desired (initial instance count)').argParser(integerArgument('--initial')),
    )
  if (!creating) command.option('--clear-desired', 'unset the desired capacity (keep only min ≤ count ≤ max)')
  command
    .addOption(
      option('--cooldown <seconds>', 'default cooldown after a rule-driven activity').argParser(
        integerArgument('--cooldown'),
      ),
    )
    .addOption(option('--lc <id>', 'launch configuration id (asc-…)', { required: true }))
    .addOption(
      option('--zone <zone=cidr>', 'zone and its subnet, e.g. zone-a=127.20.1.0/24; repeat for more', {
        required: true,
      }).argParser(collectZone),
    )
    .addOption(
      option(
        '--removal-policy <policy>',
        'OldestInstance | NewestInstance | OldestScalingConfiguration; repeat for a second',
      ).argParser(collectRemovalPolicy),
    )
  return addAttachmentOptions(command, { creating }).option('--json', 'print the raw JSON response')
}

function desiredFrom(flags: GroupFlags): number | null | undefined {
  if (flags.desired !== undefined && flags.initial !== undefined && flags.desired !== flags.initial) {
    throw new UsageError('--initial is an alias of --desired: give one of them')
  }
  const desired = flags.desired ?? flags.initial
  if (desired !== undefined && flags.clearDesired) throw new UsageError('give either --desired or --clear-desired')
  return flags.clearDesired ? null : desired
}

/** Only what was given, so one builder serves POST and PATCH; `desiredCapacity: null` clears. */
function bodyFrom(flags: GroupFlags): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  if (flags.name !== undefined) body.name = flags.name
  if (flags.min !== undefined) body.minSize = flags.min
  if (flags.max !== undefined) body.maxSize = flags.max
  const desired = desiredFrom(flags)
  if (desired !== undefined) body.desiredCapacity = desired
  if (flags.cooldown !== undefined) body.defaultCooldownSeconds = flags.cooldown
  if (flags.lc !== undefined) body.launchConfigurationId = flags.lc
  if (flags.zone !== undefined) body.zones = flags.zone
  if (flags.removalPolicy !== undefined) body.removalPolicies = flags.removalPolicy
  return { ...body, ...attachmentBodyFrom(flags) }
}

export function registerGroupCommands(program: Command, context: CliContext): void {
  const groups = program.command('groups').description('scaling groups: sets of like instances kept at a size')
  const show = (flags: GroupFlags, group: GroupView) =>
    context.output(flags.json, group, () => renderGroup(group, context.io.nowMs()))

  addFieldOptions(groups.command('create').description('create a scaling group'), { creating: true }).action(
    async (flags: GroupFlags, command: Command) => {
      show(flags, await context.client(command).post<GroupView>(API_PATHS.groups, bodyFrom(flags)))
    },
  )

  groups
    .command('list')
    .description('list scaling groups')
    .option('--json', 'print the raw JSON response')
    .action(async (flags: GroupFlags, command: Command) => {
      const body = await context.client(command).get<{ groups: GroupView[] }>(API_PATHS.groups)
      context.output(flags.json, body, () =>
        body.groups.length === 0
          ? 'no scaling groups: create one with `billow groups create`'
          : renderGroupTable(body.groups, context.io.nowMs()),
      )
    })

  groups
    .command('describe')
    .description('show a group with its instances and recent activities')
    .argument('<id>', 'group id (asg-…)')
    .option('--json', 'print the raw JSON response (the group only)')
    .action(async (id: string, flags: GroupFlags, command: Command) => {
      const client = context.client(command)
      const group = await client.get<GroupView>(groupPath(id))
      if (flags.json) return context.printJson(group)
      const [instances, activities] = await Promise.all([
        client.get<{ instances: Instance[] }>(API_PATHS.instances, { groupId: id }),
        client.get<{ activities: Activity[] }>(API_PATHS.activities, { groupId: id, limit: DESCRIBE_ACTIVITIES_LIMIT }),
      ])
      const nowMs = context.io.nowMs()
      context.print(
        [
          renderGroup(group, nowMs),
          '',
          'Instances:',
          instances.instances.length === 0 ? '  none' : renderInstanceTable(instances.instances, nowMs),
          '',
          `Recent activities (last ${DESCRIBE_ACTIVITIES_LIMIT}):`,
          activities.activities.length === 0 ? '  none' : renderActivityTable(activities.activities),
        ].join('\n'),
      )
    })

  addFieldOptions(groups.command('modify').description('change the given fields of a group'), { creating: false })
    .argument('<id>', 'group id (asg-…)')
    .action(async (id: string, flags: GroupFlags, command: Command) => {
      const body = bodyFrom(flags)
      if (Object.keys(body).length === 0) throw new UsageError('nothing to modify: give at least one field flag')
      show(flags, await context.client(command).patch<GroupView>(groupPath(id), body))
    })

  for (const [verb, text] of [
    ['enable', 'let the group scale again'],
    ['disable', 'stop launching and removing instances in the group'],
  ] as const) {
    groups
      .command(verb)
      .description(text)
      .argument('<id>', 'group id (asg-…)')
      .option('--json', 'print the raw JSON response')
      .action(async (id: string, flags: GroupFlags, command: Command) => {
        show(flags, await context.client(command).post<GroupView>(`${groupPath(id)}/${verb}`))
      })
  }

  groups
    .command('delete')
    .description('delete a group; --force also removes its instances first')
    .argument('<id>', 'group id (asg-…)')
    .option('--force', 'delete even if the group still has instances (they are removed)')
    .action(async (id: string, flags: { force?: boolean }, command: Command) => {
      // 202 { group }: null once the record is gone, the group in state Deleting while a forced
      // delete drains it.
      const answer = await context
        .client(command)
        .delete<{ group: GroupView | null } | undefined>(groupPath(id), flags.force ? { force: true } : {})
      context.print(
        answer?.group?.state === 'Deleting' ? `deleting ${id}: its instances are being removed` : `deleted ${id}`,
      )
    })

  registerGroupActionCommands(groups, context)
  registerGroupAttachmentCommands(groups, context)
}
