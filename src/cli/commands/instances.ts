/**
 * `billow instances`: every instance, in a group or standalone. `run` starts a standalone one
 * (to attach to a group later); `logs` shows what the application wrote.
 */
import type { Command } from 'commander'
import { API_PATHS, itemPath } from '../api-paths.ts'
import type { Instance } from '../api-types.ts'
import type { CliContext } from '../context.ts'
import { UsageError } from '../errors.ts'
import { integerArgument } from '../option-parsers.ts'
import { renderInstance, renderInstanceTable } from '../views/instances.ts'

interface RunFlags {
  readonly image?: string
  readonly lc?: string
  readonly type?: string
  readonly json?: boolean
}

export function registerInstanceCommands(program: Command, context: CliContext): void {
  const instances = program.command('instances').description('instances: in a group or standalone')
  const instancePath = (id: string) => itemPath(API_PATHS.instances, id)
  const show = (json: boolean | undefined, instance: Instance) =>
    context.output(json, instance, () => renderInstance(instance, context.io.nowMs()))

  instances
    .command('list')
    .description('list live instances')
    .option('--group <id>', 'only the instances of this group')
    .option('--all', 'include terminated instances')
    .option('--json', 'print the raw JSON response')
    .action(async (flags: { group?: string; all?: boolean; json?: boolean }, command: Command) => {
      const body = await context.client(command).get<{ instances: Instance[] }>(API_PATHS.instances, {
        groupId: flags.group,
        all: flags.all ? true : undefined,
      })
      context.output(flags.json, body, () =>
        body.instances.length === 0 ? 'no instances' : renderInstanceTable(body.instances, context.io.nowMs()),
      )
    })

  instances
    .command('run')
    .description('start a standalone instance from an image or a launch configuration')
    .option('--image <id>', 'image id (img-…)')
    .option('--lc <id>', 'launch configuration id (asc-…)')
    .option('--type <instance-type>', 'instance type, e.g. bl.micro')
    .option('--json', 'print the raw JSON response')
    .action(async (flags: RunFlags, command: Command) => {
      if ((flags.image === undefined) === (flags.lc === undefined)) {
        throw new UsageError('give exactly one of --image and --lc')
      }
      const body: Record<string, unknown> = {}
      if (flags.image !== undefined) body.imageId = flags.image
      if (flags.lc !== undefined) body.launchConfigurationId = flags.lc
      if (flags.type !== undefined) body.instanceType = flags.type
      show(flags.json, await context.client(command).post<Instance>(API_PATHS.instances, body))
    })

  instances
    .command('describe')
    .description('show one instance')
    .argument('<id>', 'instance id (i-…)')
    .option('--json', 'print the raw JSON response')
    .action(async (id: string, flags: { json?: boolean }, command: Command) => {
      show(flags.json, await context.client(command).get<Instance>(instancePath(id)))
    })

  instances
    .command('logs')
    .description("print the end of the instance's output")
    .argument('<id>', 'instance id (i-…)')
    .option('--bytes <n>', 'how much of the end of the log to fetch', integerArgument('--bytes', 1))
    .action(async (id: string, flags: { bytes?: number }, command: Command) => {
      const text = await context.client(command).text(`${instancePath(id)}/logs`, { maxBytes: flags.bytes })
      context.io.stdout.write(text)
    })

  instances
    .command('terminate')
    .description('terminate an instance (a group member is replaced unless the group shrinks)')
    .argument('<id>', 'instance id (i-…)')
    .action(async (id: string, _flags: unknown, command: Command) => {
      const answer = await context.client(command).delete<Partial<Instance> | undefined>(instancePath(id))
      context.print(
        answer?.state && answer.state !== 'Terminated' ? `terminating ${id} (${answer.state})` : `terminated ${id}`,
      )
    })
}
