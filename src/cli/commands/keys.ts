/**
 * `billow keys`: access keys for the ESS and Tencent APIs (their SDKs sign requests with an id
 * and a secret). The secret is printed once, at creation.
 */
import type { Command } from 'commander'
import type { AccessKey } from '../../core/access-key.ts'
import { itemPath } from '../api-paths.ts'
import type { CliContext } from '../context.ts'
import { renderFields, renderTable } from '../table.ts'
import { formatAge, formatTime } from '../time-format.ts'

export const ACCESS_KEYS_PATH = '/v1/access-keys'

type AccessKeyView = Omit<AccessKey, 'sealedSecret'>

interface CreatedAccessKey {
  readonly accessKey: AccessKeyView
  readonly secret: string
}

export function registerAccessKeyCommands(program: Command, context: CliContext): void {
  const keys = program.command('keys').description('access keys for the ESS and Tencent Cloud APIs')

  keys
    .command('create')
    .description('create an access key; its secret is printed once')
    .requiredOption('--name <name>', 'what the key is for')
    .option('--read-only', 'the key may only call Describe* actions')
    .option('--json', 'print the raw JSON response')
    .action(async (flags: { name: string; readOnly?: boolean; json?: boolean }, command: Command) => {
      const created = await context
        .client(command)
        .post<CreatedAccessKey>(ACCESS_KEYS_PATH, { name: flags.name, scope: flags.readOnly ? 'read-only' : 'full' })
      if (flags.json) return context.printJson(created)
      context.print(
        renderFields([
          ['access key id', created.accessKey.id],
          ['access key secret', created.secret],
          ['name', created.accessKey.name],
          ['scope', created.accessKey.scope],
          ['created', formatTime(created.accessKey.createdAtMs)],
        ]),
      )
      // On stderr so that `billow keys create … | tee` does not bury it, and it is not mistaken for data.
      context.warn('warning: copy the secret now; it is never shown again.')
    })

  keys
    .command('list')
    .description('list access keys (never their secrets)')
    .option('--json', 'print the raw JSON response')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const body = await context.client(command).get<{ accessKeys: AccessKeyView[] }>(ACCESS_KEYS_PATH)
      const nowMs = context.io.nowMs()
      context.output(flags.json, body, () =>
        renderTable(
          ['id', 'name', 'scope', 'status', 'age'],
          body.accessKeys.map((key) => [key.id, key.name, key.scope, key.status, formatAge(key.createdAtMs, nowMs)]),
        ),
      )
    })

  for (const [verb, status, description] of [
    ['disable', 'Inactive', 'disable a key: requests signed with it are refused until it is enabled'],
    ['enable', 'Active', 'enable a disabled key'],
  ] as const) {
    keys
      .command(verb)
      .description(description)
      .argument('<id>', 'access key id (ak-…)')
      .action(async (id: string, _flags: unknown, command: Command) => {
        await context.client(command).post(`${itemPath(ACCESS_KEYS_PATH, id)}/${verb}`, {})
        context.print(`${id} is ${status}`)
      })
  }

  keys
    .command('delete')
    .description('delete an access key; requests signed with it fail from now on')
    .argument('<id>', 'access key id (ak-…)')
    .action(async (id: string, _flags: unknown, command: Command) => {
      await context.client(command).delete(itemPath(ACCESS_KEYS_PATH, id))
      context.print(`deleted ${id}`)
    })
}
