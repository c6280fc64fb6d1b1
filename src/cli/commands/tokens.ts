/** `billow tokens`: API tokens for other users and scripts; the secret is shown once. */
import type { Command } from 'commander'
import { API_PATHS, itemPath } from '../api-paths.ts'
import type { CreatedToken, TokenView } from '../api-types.ts'
import type { CliContext } from '../context.ts'
import { renderFields, renderTable } from '../table.ts'
import { formatAge, formatTime } from '../time-format.ts'

export function registerTokenCommands(program: Command, context: CliContext): void {
  const tokens = program.command('tokens').description('API tokens')

  tokens
    .command('create')
    .description('create a token; its secret is printed once')
    .requiredOption('--name <name>', 'what the token is for')
    .option('--read-only', 'the token may only read')
    .option('--json', 'print the raw JSON response')
    .action(async (flags: { name: string; readOnly?: boolean; json?: boolean }, command: Command) => {
      const created = await context
        .client(command)
        .post<CreatedToken>(API_PATHS.tokens, { name: flags.name, scope: flags.readOnly ? 'read-only' : 'full' })
      if (flags.json) return context.printJson(created)
      context.print(
        renderFields([
          ['id', created.token.id],
          ['name', created.token.name],
          ['scope', created.token.scope],
          ['created', formatTime(created.token.createdAtMs)],
          ['secret', created.secret],
        ]),
      )
      // On stderr so that `billow tokens create … | tee` does not bury it, and it is not mistaken for data.
      context.warn('warning: copy the secret now; the server keeps only its hash and cannot show it again.')
    })

  tokens
    .command('list')
    .description('list tokens (never their secrets)')
    .option('--json', 'print the raw JSON response')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const body = await context.client(command).get<{ tokens: TokenView[] }>(API_PATHS.tokens)
      const nowMs = context.io.nowMs()
      context.output(flags.json, body, () =>
        renderTable(
          ['id', 'name', 'scope', 'age'],
          body.tokens.map((token) => [token.id, token.name, token.scope, formatAge(token.createdAtMs, nowMs)]),
        ),
      )
    })

  tokens
    .command('delete')
    .description('delete a token; requests with it fail from now on')
    .argument('<id>', 'token id (tok-…)')
    .action(async (id: string, _flags: unknown, command: Command) => {
      await context.client(command).delete(itemPath(API_PATHS.tokens, id))
      context.print(`deleted ${id}`)
    })
}
