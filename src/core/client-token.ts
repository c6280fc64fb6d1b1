/**
 * Client tokens make a request idempotent, as the clouds' ClientToken parameters do: a request
 * repeated with the same token (a retry after a timeout) returns what the first one made instead
 * of doing it again. The store remembers which activity each token made.
 */
import type { ActivityId } from './ids.ts'

/** ESS's limit: at most 64 ASCII characters. */
export const CLIENT_TOKEN_LENGTH_MAX = 64

const CLIENT_TOKEN_PATTERN = /^[\x21-\x7e]{1,64}$/

export const isClientToken = (value: string): boolean => CLIENT_TOKEN_PATTERN.test(value)

/** How long a token is remembered: ESS and Tencent keep theirs for hours; a day covers any retry. */
export const CLIENT_TOKEN_TTL_MS = 24 * 60 * 60 * 1000

export interface ClientTokenRecord {
  /** `<operation>:<token>`: the same token may be used by different operations. */
  readonly id: string
  /** What the first request asked for; a reuse asking for something else is refused. */
  readonly fingerprint: string
  readonly activityId: ActivityId
  readonly createdAtMs: number
}
