/**
 * `billow lc` (alias `launch-configurations`): templates for new instances. `modify` sends only
 * the flags given; a given `--env` or `--tag` set replaces the whole map, as PATCH does.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { API_PATHS, itemPath } from '../api-paths.ts'
import type { LaunchConfiguration } from '../api-types.ts'
import type { CliContext } from '../context.ts'
import { UsageError } from '../errors.ts'
import { collectKeyValue, integerArgument } from '../option-parsers.ts'
import { formatPairs, renderFields, renderTable } from '../table.ts'
import { formatAge, formatTimeWithAge } from '../time-format.ts'

interface LaunchConfigurationFlags {
  readonly name?: string
  readonly image?: string
  readonly type?: string
  readonly userDataFile?: string
  readonly clearUserData?: boolean
  readonly env?: Record<string, string>
  readonly port?: number
  readonly tag?: Record<string, string>
  readonly json?: boolean
}

const PATH = API_PATHS.launchConfigurations

function addFieldOptions(command: Command, { creating }: { creating: boolean }): Command {
  const name = '--name <name>'
  const image = '--image <image-id>'
  if (creating) command.requiredOption(name, 'launch configuration name').requiredOption(image, 'image id (img-…)')
  else command.option(name, 'new name').option(image, 'image id (img-…)')
  return command
    .option('--type <instance-type>', 'instance type, e.g. bl.micro (see `billow instance-types`)')
    .option('--user-data-file <file>', 'file whose content the instance gets as USER_DATA_FILE')
    .option('--env <KEY=VALUE>', 'environment variable for the application; repeat for more', collectKeyValue)
    .option('--port <port>', 'port the application listens on', integerArgument('--port', 1))
    .option('--tag <KEY=VALUE>', 'tag; repeat for more', collectKeyValue)
    .option('--json', 'print the raw JSON response')
}

/** The request body: only what was given, so one builder serves POST and PATCH. */
function bodyFrom(flags: LaunchConfigurationFlags, cwd: string): Record<string, unknown> {
  if (flags.userDataFile !== undefined && flags.clearUserData) {
    throw new UsageError('give either --user-data-file or --clear-user-data, not both')
  }
  const body: Record<string, unknown> = {}
  if (flags.name !== undefined) body.name = flags.name
  if (flags.image !== undefined) body.imageId = flags.image
  if (flags.type !== undefined) body.instanceType = flags.type
  if (flags.userDataFile !== undefined) body.userData = readUserData(resolve(cwd, flags.userDataFile))
  if (flags.clearUserData) body.userData = null
  if (flags.env !== undefined) body.env = flags.env
  if (flags.port !== undefined) body.appPort = flags.port
  if (flags.tag !== undefined) body.tags = flags.tag
  return body
}

function readUserData(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new UsageError(`cannot read --user-data-file ${path}: ${(error as Error).message}`)
  }
}

export function registerLaunchConfigurationCommands(program: Command, context: CliContext): void {
  const group = program
    .command('lc')
    .alias('launch-configurations')
    .description('launch configurations: templates for new instances')
  const show = (flags: LaunchConfigurationFlags, lc: LaunchConfiguration) =>
    context.output(flags.json, lc, () => renderLaunchConfiguration(lc, context.io.nowMs()))
  const pathOf = (id: string) => itemPath(PATH, id)

  addFieldOptions(group.command('create').description('create a launch configuration'), { creating: true }).action(
    async (flags: LaunchConfigurationFlags, command: Command) => {
      const lc = await context.client(command).post<LaunchConfiguration>(PATH, bodyFrom(flags, context.io.cwd))
      show(flags, lc)
    },
  )

  group
    .command('list')
    .description('list launch configurations')
    .option('--json', 'print the raw JSON response')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const body = await context.client(command).get<{ launchConfigurations: LaunchConfiguration[] }>(PATH)
      const nowMs = context.io.nowMs()
      context.output(flags.json, body, () =>
        body.launchConfigurations.length === 0
          ? 'no launch configurations: create one with `billow lc create`'
          : renderTable(
              ['id', 'name', 'image', 'type', 'app port', 'env', 'tags', 'age'],
              body.launchConfigurations.map((lc) => [
                lc.id,
                lc.name,
                lc.imageId,
                lc.instanceType,
                lc.appPort,
                Object.keys(lc.env).length,
                formatPairs(lc.tags),
                formatAge(lc.createdAtMs, nowMs),
              ]),
            ),
      )
    })

  group
    .command('describe')
    .description('show one launch configuration')
    .argument('<id>', 'launch configuration id (asc-…)')
    .option('--json', 'print the raw JSON response')
    .action(async (id: string, flags: LaunchConfigurationFlags, command: Command) => {
      show(flags, await context.client(command).get<LaunchConfiguration>(pathOf(id)))
    })

  addFieldOptions(group.command('modify').description('change the given fields; running instances keep theirs'), {
    creating: false,
  })
    .argument('<id>', 'launch configuration id (asc-…)')
    .option('--clear-user-data', 'remove the user data')
    .action(async (id: string, flags: LaunchConfigurationFlags, command: Command) => {
      const body = bodyFrom(flags, context.io.cwd)
      if (Object.keys(body).length === 0) throw new UsageError('nothing to modify: give at least one field flag')
      show(flags, await context.client(command).patch<LaunchConfiguration>(pathOf(id), body))
    })

  group
    .command('delete')
    .description('delete a launch configuration (refused while a group uses it)')
    .argument('<id>', 'launch configuration id (asc-…)')
    .action(async (id: string, _flags: unknown, command: Command) => {
      await context.client(command).delete(pathOf(id))
      context.print(`deleted ${id}`)
    })
}

function renderLaunchConfiguration(lc: LaunchConfiguration, nowMs: number): string {
  return renderFields([
    ['id', lc.id],
    ['name', lc.name],
    ['image', lc.imageId],
    ['instance type', lc.instanceType],
    ['app port', lc.appPort],
    ['env', formatPairs(lc.env)],
    ['tags', formatPairs(lc.tags)],
    ['user data', lc.userData === null ? null : `${lc.userData.length} characters`],
    ['created', formatTimeWithAge(lc.createdAtMs, nowMs)],
  ])
}
