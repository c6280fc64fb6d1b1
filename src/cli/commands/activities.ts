/** `billow activities`: what the groups did and are doing, and waiting for one to end. */
import type { Command } from 'commander'
import { API_PATHS, itemPath } from '../api-paths.ts'
import type { Activity } from '../api-types.ts'
import type { CliContext } from '../context.ts'
import { integerArgument } from '../option-parsers.ts'
import { renderActivity, renderActivityTable } from '../views/activities.ts'
import { DEFAULT_WAIT_TIMEOUT_SECONDS, waitForActivity } from '../wait.ts'

const DEFAULT_LIST_LIMIT = 20

export function registerActivityCommands(program: Command, context: CliContext): void {
  const activities = program.command('activities').description('scaling activities: what groups did and are doing')

  activities
    .command('list')
    .description('list recent activities, newest first')
    .option('--group <id>', 'only the activities of this group')
    .option('--limit <n>', `how many (default ${DEFAULT_LIST_LIMIT})`, integerArgument('--limit', 1))
    .option('--json', 'print the raw JSON response')
    .action(async (flags: { group?: string; limit?: number; json?: boolean }, command: Command) => {
      const body = await context.client(command).get<{ activities: Activity[] }>(API_PATHS.activities, {
        groupId: flags.group,
        limit: flags.limit ?? DEFAULT_LIST_LIMIT,
      })
      context.output(flags.json, body, () =>
        body.activities.length === 0 ? 'no activities' : renderActivityTable(body.activities),
      )
    })

  activities
    .command('describe')
    .description('show one activity with its plan')
    .argument('<id>', 'activity id (asa-…)')
    .option('--json', 'print the raw JSON response')
    .action(async (id: string, flags: { json?: boolean }, command: Command) => {
      const activity = await context.client(command).get<Activity>(itemPath(API_PATHS.activities, id))
      context.output(flags.json, activity, () => renderActivity(activity, context.io.nowMs()))
    })

  activities
    .command('wait')
    .description('follow an activity until it ends; exit 1 if it failed or was rejected')
    .argument('<id>', 'activity id (asa-…)')
    .option(
      '--timeout <seconds>',
      `give up after this long (default ${DEFAULT_WAIT_TIMEOUT_SECONDS})`,
      integerArgument('--timeout', 1),
    )
    .option('--json', 'print the finished activity as JSON')
    .action(async (id: string, flags: { timeout?: number; json?: boolean }, command: Command) => {
      context.exitCode = await waitForActivity(context, context.client(command), id, {
        timeoutSeconds: flags.timeout ?? DEFAULT_WAIT_TIMEOUT_SECONDS,
        json: flags.json,
      })
    })
}
