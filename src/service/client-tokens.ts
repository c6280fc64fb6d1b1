/**
 * Idempotent requests: a request that carries a client token and repeats one already served
 * returns the activity the first made, instead of queueing a second (a script retrying after a
 * timeout must not scale twice). Reusing a token for a different request is refused. Tokens are
 * forgotten after CLIENT_TOKEN_TTL_MS, pruned as new ones arrive.
 */
import { CLIENT_TOKEN_TTL_MS, isClientToken } from '../core/client-token.ts'
import { assert } from '../core/errors.ts'
import type { Activity } from '../core/types.ts'
import type { Collections } from '../ports/store.ts'
import type { ServiceContext } from './context.ts'
import { invalid } from './validate.ts'

export async function idempotent(
  context: ServiceContext,
  tx: Collections,
  options: { operation: string; clientToken: string | undefined; fingerprint: string },
  run: () => Promise<Activity>,
): Promise<Activity> {
  if (options.clientToken === undefined) return run()
  if (!isClientToken(options.clientToken)) invalid('clientToken', 'must be 1 to 64 printable ASCII characters')
  const nowMs = context.clock.nowMs()
  await tx.clientTokens.deleteCreatedBefore(nowMs - CLIENT_TOKEN_TTL_MS)
  const key = `${options.operation}:${options.clientToken}`
  const seen = await tx.clientTokens.get(key)
  if (seen) {
    if (seen.fingerprint !== options.fingerprint) {
      invalid('clientToken', `was used for a different ${options.operation} request`)
    }
    const activity = await tx.activities.get(seen.activityId)
    assert(activity, `client token ${key} names activity ${seen.activityId}, which the store keeps`)
    return activity
  }
  const activity = await run()
  await tx.clientTokens.insert({
    id: key,
    fingerprint: options.fingerprint,
    activityId: activity.id,
    createdAtMs: nowMs,
  })
  return activity
}
