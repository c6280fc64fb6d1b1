/**
 * `--wait`: follows an activity until it ends. On a terminal the progress is one line redrawn
 * in place; in a pipe or a log it is a plain line per change, so CI logs stay readable.
 *
 *   poll ──▶ Queued / InProgress ──(500 ms)──▶ poll … ──▶ Successful / Warning → exit 0
 *                                                     └──▶ Failed / Rejected   → exit 1
 *                                   timeout ──▶ exit 1 (the activity itself goes on)
 */
import { isTerminalStatus } from '../core/types.ts'
import { API_PATHS, itemPath } from './api-paths.ts'
import type { Activity, ActivityStatus } from './api-types.ts'
import type { ApiClient } from './client.ts'
import type { CliContext } from './context.ts'
import { ConnectionError, EXIT_FAILURE, EXIT_OK } from './errors.ts'
import { formatDuration } from './time-format.ts'

/** Fast enough to feel live, slow enough that a dozen waiting shells do not load the server. */
export const POLL_INTERVAL_MS = 500
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 600

const BAR_WIDTH_CHARS = 10
/** Used when the terminal does not say how wide it is. */
const DEFAULT_TERMINAL_COLUMNS = 100

export function progressBar(percent: number): string {
  const clamped = Math.min(100, Math.max(0, percent))
  const filled = Math.round((clamped / 100) * BAR_WIDTH_CHARS)
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH_CHARS - filled)}]`
}

/** `asa-… InProgress [######----] 60%  cause…`, cut to `maxChars` so a redraw never wraps. */
export function renderProgressLine(
  activity: { readonly id: string } & Pick<Activity, 'status' | 'progressPercent' | 'cause'>,
  maxChars = Number.POSITIVE_INFINITY,
): string {
  const percent = Math.round(activity.progressPercent)
  const line = `${activity.id} ${activity.status} ${progressBar(percent)} ${percent}%  ${activity.cause}`
  return line.length <= maxChars ? line : `${line.slice(0, Math.max(0, maxChars - 1))}…`
}

export function exitCodeFor(status: ActivityStatus): number {
  return status === 'Failed' || status === 'Rejected' ? EXIT_FAILURE : EXIT_OK
}

export interface PollOptions {
  readonly timeoutMs: number
  readonly nowMs: () => number
  readonly sleep: (ms: number) => Promise<void>
  /** Called with every answer, terminal or not. */
  readonly onUpdate?: (activity: Activity) => void
}

export type PollResult =
  | { readonly kind: 'ended'; readonly activity: Activity }
  | { readonly kind: 'timedOut'; readonly activity: Activity | null; readonly lastError: Error | null }

/** Polls until a terminal status or the timeout. A server that restarts meanwhile is waited for. */
export async function pollActivity(client: ApiClient, activityId: string, options: PollOptions): Promise<PollResult> {
  const deadlineMs = options.nowMs() + options.timeoutMs
  let last: Activity | null = null
  let lastError: Error | null = null
  for (;;) {
    try {
      last = await client.get<Activity>(itemPath(API_PATHS.activities, activityId))
      lastError = null
      options.onUpdate?.(last)
      if (isTerminalStatus(last.status)) return { kind: 'ended', activity: last }
    } catch (error) {
      // Only an unreachable server is worth waiting out; an API error (not found) is final.
      if (!(error instanceof ConnectionError)) throw error
      lastError = error
    }
    if (options.nowMs() >= deadlineMs) return { kind: 'timedOut', activity: last, lastError }
    await options.sleep(POLL_INTERVAL_MS)
  }
}

export interface WaitOptions {
  readonly timeoutSeconds: number
  /** Print the final activity as JSON instead of progress and a summary. */
  readonly json?: boolean
}

/** Waits, reports, and returns the exit code the command should end with. */
export async function waitForActivity(
  context: CliContext,
  client: ApiClient,
  activityId: string,
  options: WaitOptions,
): Promise<number> {
  const { stdout } = context.io
  const live = Boolean(stdout.isTTY) && !options.json
  const columns = stdout.columns ?? DEFAULT_TERMINAL_COLUMNS
  let lastPlain = ''
  const onUpdate = (activity: Activity): void => {
    if (options.json) return
    if (live) {
      stdout.write(`\r\x1b[K${renderProgressLine(activity, columns - 1)}`)
      return
    }
    const line = renderProgressLine(activity)
    if (line !== lastPlain && !isTerminalStatus(activity.status)) context.print(line)
    lastPlain = line
  }
  const result = await pollActivity(client, activityId, {
    timeoutMs: options.timeoutSeconds * 1000,
    nowMs: context.io.nowMs,
    sleep: context.io.sleep,
    onUpdate,
  })
  if (live) stdout.write('\r\x1b[K')
  if (result.kind === 'timedOut') {
    const state = result.activity ? `it is still ${result.activity.status}` : 'it was never seen'
    const reason = result.lastError ? ` (last error: ${result.lastError.message})` : ''
    context.warn(
      `error: gave up waiting for ${activityId} after ${formatDuration(options.timeoutSeconds * 1000)}: ` +
        `${state}${reason}. The activity goes on; follow it with \`billow activities wait ${activityId}\`.`,
    )
    return EXIT_FAILURE
  }
  const { activity } = result
  if (options.json) {
    context.printJson(activity)
    return exitCodeFor(activity.status)
  }
  context.print(summaryLine(activity))
  if (activity.status === 'Warning') {
    context.print('note: the activity ended with a warning: part of it did not happen; see the message above.')
  }
  return exitCodeFor(activity.status)
}

function summaryLine(activity: Activity): string {
  const message = activity.statusMessage ? `: ${activity.statusMessage}` : ''
  return `${activity.id} ${activity.status} ${progressBar(activity.progressPercent)} ${Math.round(activity.progressPercent)}%${message}`
}
