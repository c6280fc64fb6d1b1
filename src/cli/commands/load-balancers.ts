/**
 * `billow lb` (alias `load-balancers`): balancers that groups attach; their data plane forwards
 * clients from the listeners to the groups' InService instances. `modify` sends only the flags
 * given; given `--listener`s replace the whole list, and health check flags change only what they
 * name (the rest of the check is read from the balancer first, as the API wants it whole).
 */
import { type Command, Option } from 'commander'
import { BALANCER_DRIVERS, BALANCING_ALGORITHMS, type HealthCheck } from '../../core/load-balancer.ts'
import { DEFAULT_HEALTH_CHECK } from '../../service/load-balancers.ts'
import { API_PATHS, itemPath } from '../api-paths.ts'
import type { LoadBalancerView } from '../api-types.ts'
import { parseChoice } from '../args.ts'
import {
  type HealthCheckFlags,
  hasHealthCheckFlags,
  healthCheckOption,
  type ListenerArgument,
  listenerOption,
  mergeHealthCheck,
} from '../attachment-args.ts'
import type { ApiClient } from '../client.ts'
import type { CliContext } from '../context.ts'
import { UsageError } from '../errors.ts'
import { asInvalidArgument, integerArgument } from '../option-parsers.ts'
import { healthCheckTarget, renderLoadBalancer, renderLoadBalancerTable } from '../views/load-balancers.ts'

interface LoadBalancerFlags extends HealthCheckFlags {
  readonly name?: string
  readonly driver?: string
  readonly listener?: ListenerArgument[]
  readonly algorithm?: string
  readonly drain?: number
  readonly json?: boolean
}

const PATH = API_PATHS.loadBalancers

const choiceArgument =
  <T extends string>(choices: readonly T[], what: string) =>
  (value: string): T =>
    asInvalidArgument(() => parseChoice(value, choices, what))

function addFieldOptions(command: Command, { creating }: { creating: boolean }): Command {
  const option = (flags: string, text: string, { required = false } = {}) =>
    new Option(flags, text).makeOptionMandatory(creating && required)
  command.addOption(option('--name <name>', creating ? 'load balancer name' : 'new name', { required: true }))
  if (creating) {
    command.option(
      '--driver <driver>',
      `data plane: ${BALANCER_DRIVERS.join(' | ')} (default builtin)`,
      choiceArgument(BALANCER_DRIVERS, '--driver'),
    )
  }
  return command
    .addOption(
      option(
        '--listener <PROTOCOL:[HOST:]PORT>',
        `where clients connect, e.g. HTTP:8000 or TCP:127.0.0.1:9000 (host default 127.0.0.1); repeat for more${
          creating ? '' : ' (the given ones replace all)'
        }`,
        { required: true },
      ).argParser(listenerOption),
    )
    .option(
      '--algorithm <algorithm>',
      `${BALANCING_ALGORITHMS.join(' | ')}${creating ? ' (default RoundRobin)' : ''}`,
      choiceArgument(BALANCING_ALGORITHMS, '--algorithm'),
    )
    .option(
      '--health-check <check>',
      `http[:/PATH[:MIN-MAX]] or tcp, e.g. http:/health:200-399${creating ? ` (default ${healthCheckTarget(DEFAULT_HEALTH_CHECK)})` : ''}`,
      healthCheckOption,
    )
    .option('--interval <seconds>', 'seconds between health checks', integerArgument('--interval', 1))
    .option('--timeout <seconds>', 'seconds a health check may take', integerArgument('--timeout', 1))
    .option('--healthy <n>', 'passes in a row that make a backend healthy', integerArgument('--healthy', 1))
    .option('--unhealthy <n>', 'failures in a row that make a backend unhealthy', integerArgument('--unhealthy', 1))
    .option(
      '--drain <seconds>',
      'how long a leaving backend may finish its in-flight requests',
      integerArgument('--drain'),
    )
    .option('--json', 'print the raw JSON response')
}

/** Only what was given; `healthCheck` is whole, built over `currentCheck` (or the server's default). */
function bodyFrom(flags: LoadBalancerFlags, currentCheck: HealthCheck | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  if (flags.name !== undefined) body.name = flags.name
  if (flags.driver !== undefined) body.driver = flags.driver
  if (flags.listener !== undefined) body.listeners = flags.listener
  if (flags.algorithm !== undefined) body.algorithm = flags.algorithm
  if (hasHealthCheckFlags(flags)) {
    body.healthCheck = mergeHealthCheck(flags, currentCheck ?? DEFAULT_HEALTH_CHECK, DEFAULT_HEALTH_CHECK)
  }
  if (flags.drain !== undefined) body.drainSeconds = flags.drain
  return body
}

export function registerLoadBalancerCommands(program: Command, context: CliContext): void {
  const lb = program
    .command('lb')
    .alias('load-balancers')
    .description('load balancers: spread clients over the instances of the groups that attach them')
  const pathOf = (id: string) => itemPath(PATH, id)
  const show = (flags: LoadBalancerFlags, view: LoadBalancerView) =>
    context.output(flags.json, view, () => renderLoadBalancer(view, context.io.nowMs()))

  addFieldOptions(lb.command('create').description('create a load balancer; its listeners open now'), {
    creating: true,
  }).action(async (flags: LoadBalancerFlags, command: Command) => {
    show(flags, await context.client(command).post<LoadBalancerView>(PATH, bodyFrom(flags, undefined)))
  })

  lb.command('list')
    .description('list load balancers with their healthy backends')
    .option('--json', 'print the raw JSON response')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const body = await context.client(command).get<{ loadBalancers: LoadBalancerView[] }>(PATH)
      context.output(flags.json, body, () =>
        body.loadBalancers.length === 0
          ? 'no load balancers: create one with `billow lb create`'
          : renderLoadBalancerTable(body.loadBalancers, context.io.nowMs()),
      )
    })

  lb.command('describe')
    .description('show a load balancer, the groups that attach it, and its traffic per listener and backend')
    .argument('<id>', 'load balancer id (lb-…)')
    .option('--json', 'print the raw JSON response')
    .action(async (id: string, flags: LoadBalancerFlags, command: Command) => {
      show(flags, await context.client(command).get<LoadBalancerView>(pathOf(id)))
    })

  addFieldOptions(lb.command('modify').description('change the given fields; the data plane follows at once'), {
    creating: false,
  })
    .argument('<id>', 'load balancer id (lb-…)')
    .action(async (id: string, flags: LoadBalancerFlags, command: Command) => {
      const client = context.client(command)
      const body = bodyFrom(flags, hasHealthCheckFlags(flags) ? await currentHealthCheck(client, id) : undefined)
      if (Object.keys(body).length === 0) throw new UsageError('nothing to modify: give at least one field flag')
      show(flags, await client.patch<LoadBalancerView>(pathOf(id), body))
    })

  lb.command('delete')
    .description('delete a load balancer (refused while a group attaches it); its listeners close')
    .argument('<id>', 'load balancer id (lb-…)')
    .action(async (id: string, _flags: unknown, command: Command) => {
      await context.client(command).delete(pathOf(id))
      context.print(`deleted ${id}`)
    })
}

async function currentHealthCheck(client: ApiClient, id: string): Promise<HealthCheck> {
  return (await client.get<LoadBalancerView>(itemPath(PATH, id))).healthCheck
}
