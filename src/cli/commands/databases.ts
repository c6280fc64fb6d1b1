/**
 * `billow db` (alias `databases`): databases whose IP allowlist follows the groups that attach
 * them. The administrator's password is read from a file or stdin (`--admin-password-file -`),
 * never taken as a flag's value, so it stays out of shell history and the process list.
 */
import { type Command, Option } from 'commander'
import { DATABASE_ENGINES } from '../../core/database.ts'
import { API_PATHS, itemPath } from '../api-paths.ts'
import type { DatabaseView } from '../api-types.ts'
import { parseChoice } from '../args.ts'
import type { CliContext } from '../context.ts'
import { UsageError } from '../errors.ts'
import { asInvalidArgument, integerArgument } from '../option-parsers.ts'
import { readSecretArgument } from '../secret-input.ts'
import { renderDatabase, renderDatabaseTable } from '../views/databases.ts'

interface DatabaseFlags {
  readonly name?: string
  readonly engine?: string
  readonly host?: string
  readonly port?: number
  readonly adminUser?: string
  readonly adminPasswordFile?: string
  readonly clientUser?: string
  readonly clientDatabase?: string
  readonly json?: boolean
}

const PATH = API_PATHS.databases
const PASSWORD_FLAG = '--admin-password-file'

function addFieldOptions(command: Command, { creating }: { creating: boolean }): Command {
  const option = (flags: string, text: string) => new Option(flags, text).makeOptionMandatory(creating)
  command.addOption(option('--name <name>', creating ? 'database name' : 'new name'))
  if (creating) {
    command.addOption(
      option('--engine <engine>', DATABASE_ENGINES.join(' | ')).argParser((value) =>
        asInvalidArgument(() => parseChoice(value, DATABASE_ENGINES, '--engine')),
      ),
    )
  }
  return command
    .addOption(option('--host <host>', 'where Billow connects as the administrator'))
    .addOption(option('--port <port>', 'its port').argParser(integerArgument('--port', 1)))
    .addOption(option('--admin-user <user>', 'administrator that changes the allowlist'))
    .addOption(
      option(
        `${PASSWORD_FLAG} <file>`,
        "file holding the administrator's password, or - to read it from stdin (never a flag value)",
      ),
    )
    .addOption(option('--client-user <user>', 'the role (postgres) or user (mysql) the instances connect as'))
    .option(
      '--client-database <name>',
      `postgres: the database the instances may connect to${creating ? " (default 'all')" : ''}`,
    )
    .option('--json', 'print the raw JSON response')
}

/** Only what was given, so one builder serves POST and PATCH. */
async function bodyFrom(flags: DatabaseFlags, context: CliContext): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {}
  if (flags.name !== undefined) body.name = flags.name
  if (flags.engine !== undefined) body.engine = flags.engine
  if (flags.host !== undefined) body.host = flags.host
  if (flags.port !== undefined) body.port = flags.port
  if (flags.adminUser !== undefined) body.adminUser = flags.adminUser
  if (flags.adminPasswordFile !== undefined) {
    body.adminPassword = await readSecretArgument(context.io, flags.adminPasswordFile, PASSWORD_FLAG)
  }
  if (flags.clientUser !== undefined) body.clientUser = flags.clientUser
  if (flags.clientDatabase !== undefined) body.clientDatabase = flags.clientDatabase
  return body
}

export function registerDatabaseCommands(program: Command, context: CliContext): void {
  const db = program
    .command('db')
    .alias('databases')
    .description('databases whose IP allowlist follows the instances of the groups that attach them')
  const pathOf = (id: string) => itemPath(PATH, id)
  const show = (flags: DatabaseFlags, view: DatabaseView) =>
    context.output(flags.json, view, () => renderDatabase(view, context.io.nowMs()))

  addFieldOptions(db.command('create').description('register a database'), { creating: true }).action(
    async (flags: DatabaseFlags, command: Command) => {
      const body = await bodyFrom(flags, context)
      show(flags, await context.client(command).post<DatabaseView>(PATH, body))
    },
  )

  db.command('list')
    .description('list databases (never their passwords)')
    .option('--json', 'print the raw JSON response')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const body = await context.client(command).get<{ databases: DatabaseView[] }>(PATH)
      context.output(flags.json, body, () =>
        body.databases.length === 0
          ? 'no databases: register one with `billow db create`'
          : renderDatabaseTable(body.databases, context.io.nowMs()),
      )
    })

  db.command('describe')
    .description('show a database and the groups that attach it')
    .argument('<id>', 'database id (db-…)')
    .option('--json', 'print the raw JSON response')
    .action(async (id: string, flags: DatabaseFlags, command: Command) => {
      show(flags, await context.client(command).get<DatabaseView>(pathOf(id)))
    })

  addFieldOptions(
    db.command('modify').description('change the given fields; addresses already allowed stay until they leave'),
    { creating: false },
  )
    .argument('<id>', 'database id (db-…)')
    .action(async (id: string, flags: DatabaseFlags, command: Command) => {
      const body = await bodyFrom(flags, context)
      if (Object.keys(body).length === 0) throw new UsageError('nothing to modify: give at least one field flag')
      show(flags, await context.client(command).patch<DatabaseView>(pathOf(id), body))
    })

  db.command('delete')
    .description('forget a database (refused while a group attaches it)')
    .argument('<id>', 'database id (db-…)')
    .action(async (id: string, _flags: unknown, command: Command) => {
      await context.client(command).delete(pathOf(id))
      context.print(`deleted ${id}`)
    })
}
