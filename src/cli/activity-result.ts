/**
 * Commands that start an activity (set-desired, attach, detach, remove-instances, rules execute)
 * answer 202 with it. Without `--wait` they show it and say how to follow it; with `--wait` they
 * follow it and exit by its outcome.
 */
import type { Command } from 'commander'
import type { Activity } from './api-types.ts'
import type { ApiClient } from './client.ts'
import type { CliContext } from './context.ts'
import { integerArgument } from './option-parsers.ts'
import { renderActivity } from './views/activities.ts'
import { DEFAULT_WAIT_TIMEOUT_SECONDS, waitForActivity } from './wait.ts'

export interface WaitFlags {
  readonly wait?: boolean
  readonly timeout?: number
  readonly json?: boolean
}

export function addWaitOptions(command: Command): Command {
  return command
    .option('--wait', 'follow the activity until it ends; exit 1 if it failed or was rejected')
    .option(
      '--timeout <seconds>',
      `with --wait: give up after this long (default ${DEFAULT_WAIT_TIMEOUT_SECONDS})`,
      integerArgument('--timeout', 1),
    )
    .option('--json', 'print the raw JSON response (with --wait: the finished activity)')
}

export async function reportActivity(
  context: CliContext,
  client: ApiClient,
  activity: Activity,
  flags: WaitFlags,
): Promise<void> {
  if (flags.wait) {
    context.exitCode = await waitForActivity(context, client, activity.id, {
      timeoutSeconds: flags.timeout ?? DEFAULT_WAIT_TIMEOUT_SECONDS,
      json: flags.json,
    })
    return
  }
  context.output(flags.json, activity, () =>
    [renderActivity(activity, context.io.nowMs()), '', `follow it: billow activities wait ${activity.id}`].join('\n'),
  )
}
