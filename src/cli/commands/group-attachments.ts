/**
 * A group's load balancers and databases: the `--lb`, `--db` and health check flags of `groups
 * create` and `groups modify`, and `groups attach-lb | detach-lb | attach-db | detach-db` for one
 * at a time. Given `--lb`s (or `--db`s) replace the group's whole list, as PATCH does; attaching a
 * balancer the group has already changes its port and weight.
 */
import type { Command } from 'commander'
import { HEALTH_CHECK_TYPES } from '../../core/types.ts'
import { groupPath } from '../api-paths.ts'
import type { GroupView } from '../api-types.ts'
import { parseChoice } from '../args.ts'
import { type AttachmentArgument, attachmentOption, collectId } from '../attachment-args.ts'
import type { CliContext } from '../context.ts'
import { asInvalidArgument, integerArgument } from '../option-parsers.ts'
import { renderGroup } from '../views/groups.ts'

export interface AttachmentFlags {
  readonly lb?: AttachmentArgument[]
  readonly db?: string[]
  readonly healthCheckType?: string
  readonly gracePeriod?: number
}

export function addAttachmentOptions(command: Command, { creating }: { creating: boolean }): Command {
  const replaces = creating ? '' : " (the given ones replace the group's)"
  return command
    .option(
      '--lb <LB[:PORT][:WEIGHT]>',
      `attach a load balancer; PORT of the instances (default: their app port), WEIGHT 1-100 (default 10); repeat for more${replaces}`,
      attachmentOption,
    )
    .option(
      '--db <id>',
      `attach a database (db-…) whose allowlist follows the instances; repeat for more${replaces}`,
      collectId('--db'),
    )
    .option(
      '--health-check-type <type>',
      `Provider (the instance's process) | LoadBalancer (also the balancers' checks)${creating ? ', default Provider' : ''}`,
      (value) => asInvalidArgument(() => parseChoice(value, HEALTH_CHECK_TYPES, '--health-check-type')),
    )
    .option(
      '--grace-period <seconds>',
      'how long after launch failed balancer checks do not count against an instance',
      integerArgument('--grace-period'),
    )
}

/** The attachment fields of a group body: only what was given. */
export function attachmentBodyFrom(flags: AttachmentFlags): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  if (flags.lb !== undefined) body.loadBalancers = flags.lb
  if (flags.db !== undefined) body.databaseIds = flags.db
  if (flags.healthCheckType !== undefined) body.healthCheckType = flags.healthCheckType
  if (flags.gracePeriod !== undefined) body.healthCheckGracePeriodSeconds = flags.gracePeriod
  return body
}

export function registerGroupAttachmentCommands(groups: Command, context: CliContext): void {
  const show = (json: boolean | undefined, group: GroupView) =>
    context.output(json, group, () => renderGroup(group, context.io.nowMs()))

  groups
    .command('attach-lb')
    .description("attach a load balancer: the group's InService instances join its pool")
    .argument('<id>', 'group id (asg-…)')
    .argument('<lb>', 'load balancer id (lb-…)')
    .option(
      '--port <port>',
      'port of the instances it forwards to (default: their app port)',
      integerArgument('--port', 1),
    )
    .option(
      '--weight <n>',
      'weight of these backends, 1-100, for WeightedRoundRobin (default 10)',
      integerArgument('--weight', 1),
    )
    .option('--json', 'print the raw JSON response')
    .action(
      async (
        id: string,
        loadBalancerId: string,
        flags: { port?: number; weight?: number; json?: boolean },
        command: Command,
      ) => {
        const body: Record<string, unknown> = { loadBalancerId }
        if (flags.port !== undefined) body.port = flags.port
        if (flags.weight !== undefined) body.weight = flags.weight
        show(flags.json, await context.client(command).post<GroupView>(`${groupPath(id)}/load-balancers`, body))
      },
    )

  groups
    .command('detach-lb')
    .description('detach a load balancer: its backends from this group drain and leave')
    .argument('<id>', 'group id (asg-…)')
    .argument('<lb>', 'load balancer id (lb-…)')
    .option('--json', 'print the raw JSON response')
    .action(async (id: string, loadBalancerId: string, flags: { json?: boolean }, command: Command) => {
      const path = `${groupPath(id)}/load-balancers/${encodeURIComponent(loadBalancerId)}`
      show(flags.json, await context.client(command).delete<GroupView>(path))
    })

  groups
    .command('attach-db')
    .description("attach a database: the group's instance addresses join its allowlist")
    .argument('<id>', 'group id (asg-…)')
    .argument('<db>', 'database id (db-…)')
    .option('--json', 'print the raw JSON response')
    .action(async (id: string, databaseId: string, flags: { json?: boolean }, command: Command) => {
      show(flags.json, await context.client(command).post<GroupView>(`${groupPath(id)}/databases`, { databaseId }))
    })

  groups
    .command('detach-db')
    .description("detach a database: its allowlist loses the group's addresses")
    .argument('<id>', 'group id (asg-…)')
    .argument('<db>', 'database id (db-…)')
    .option('--json', 'print the raw JSON response')
    .action(async (id: string, databaseId: string, flags: { json?: boolean }, command: Command) => {
      const path = `${groupPath(id)}/databases/${encodeURIComponent(databaseId)}`
      show(flags.json, await context.client(command).delete<GroupView>(path))
    })
}
