/**
 * What an operator does to a running group: set its desired capacity, attach, detach or remove
 * instances, protect them from scale-in, and look at its queue. The capacity and membership
 * commands answer with an activity (see `activity-result.ts`).
 */
import type { Command } from 'commander'
import { addWaitOptions, reportActivity, type WaitFlags } from '../activity-result.ts'
import { groupPath } from '../api-paths.ts'
import type { Activity, Instance } from '../api-types.ts'
import type { CliContext } from '../context.ts'
import { integerArgument } from '../option-parsers.ts'
import { renderActivityTable } from '../views/activities.ts'
import { renderInstanceTable } from '../views/instances.ts'

type ActivityBody = (instanceIds: string[], flags: MembershipFlags) => Record<string, unknown>

interface MembershipFlags extends WaitFlags {
  readonly keepDesired?: boolean
  readonly terminateAttached?: boolean
}

/** The three membership changes share a shape: ID INSTANCE... → POST → activity. */
const MEMBERSHIP_COMMANDS: readonly {
  readonly name: string
  readonly path: string
  readonly description: string
  readonly flag?: readonly [string, string]
  readonly body: ActivityBody
}[] = [
  {
    name: 'attach',
    path: 'attach-instances',
    description: 'add standalone instances to the group (raises desired capacity when set)',
    body: (instanceIds) => ({ instanceIds }),
  },
  {
    name: 'detach',
    path: 'detach-instances',
    description: 'take instances out of the group; they keep running as standalone instances',
    flag: ['--keep-desired', 'keep the desired capacity (the group launches replacements)'],
    body: (instanceIds, flags) => ({ instanceIds, decrementDesired: !flags.keepDesired }),
  },
  {
    name: 'remove-instances',
    path: 'remove-instances',
    description: 'remove instances: created ones are terminated, attached ones detached',
    flag: ['--terminate-attached', 'terminate attached instances too instead of detaching them'],
    body: (instanceIds, flags) => ({ instanceIds, terminateAttached: Boolean(flags.terminateAttached) }),
  },
]

export function registerGroupActionCommands(groups: Command, context: CliContext): void {
  addWaitOptions(
    groups
      .command('set-desired')
      .description('set the desired capacity; the group launches or removes instances to match')
      .argument('<id>', 'group id (asg-…)')
      .argument('<n>', 'desired capacity', integerArgument('desired capacity'))
      .option('--honor-cooldown', 'refuse (Rejected) while the group is in cooldown'),
  ).action(async (id: string, desiredCapacity: number, flags: WaitFlags & { honorCooldown?: boolean }, command) => {
    const client = context.client(command)
    const activity = await client.post<Activity>(`${groupPath(id)}/desired-capacity`, {
      desiredCapacity,
      honorCooldown: Boolean(flags.honorCooldown),
    })
    await reportActivity(context, client, activity, flags)
  })

  for (const spec of MEMBERSHIP_COMMANDS) {
    const command = groups
      .command(spec.name)
      .description(spec.description)
      .argument('<id>', 'group id (asg-…)')
      .argument('<instance...>', 'instance ids (i-…)')
    if (spec.flag) command.option(spec.flag[0], spec.flag[1])
    addWaitOptions(command).action(async (id: string, instanceIds: string[], flags: MembershipFlags, self: Command) => {
      const client = context.client(self)
      const activity = await client.post<Activity>(`${groupPath(id)}/${spec.path}`, spec.body(instanceIds, flags))
      await reportActivity(context, client, activity, flags)
    })
  }

  for (const [name, isProtected] of [
    ['protect', true],
    ['unprotect', false],
  ] as const) {
    groups
      .command(name)
      .description(isProtected ? 'protect instances from being chosen by a scale-in' : 'lift scale-in protection')
      .argument('<id>', 'group id (asg-…)')
      .argument('<instance...>', 'instance ids (i-…)')
      .option('--json', 'print the raw JSON response')
      .action(async (id: string, instanceIds: string[], flags: { json?: boolean }, command: Command) => {
        const body = await context
          .client(command)
          .post<{ instances: Instance[] }>(`${groupPath(id)}/protection`, { instanceIds, protected: isProtected })
        context.output(flags.json, body, () => renderInstanceTable(body.instances, context.io.nowMs()))
      })
  }

  groups
    .command('queue')
    .description("show the group's queued and running activities")
    .argument('<id>', 'group id (asg-…)')
    .option('--json', 'print the raw JSON response')
    .action(async (id: string, flags: { json?: boolean }, command: Command) => {
      const body = await context.client(command).get<{ activities: Activity[] }>(`${groupPath(id)}/queue`)
      context.output(flags.json, body, () =>
        body.activities.length === 0 ? 'the queue is empty' : renderActivityTable(body.activities),
      )
    })
}
