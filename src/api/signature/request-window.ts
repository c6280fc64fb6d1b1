/**
 * How far a signed request's own time may be from ours. The clouds allow about 15 minutes of
 * skew; a request outside it is refused, and inside it its nonce is remembered, so a captured
 * request can be replayed neither late nor twice.
 */
import { AuthFailure } from './auth-failure.ts'

export const CLOCK_SKEW_MS = 15 * 60 * 1000

export function requireFreshTime(requestTimeMs: number, nowMs: number): void {
  if (!Number.isFinite(requestTimeMs) || Math.abs(nowMs - requestTimeMs) > CLOCK_SKEW_MS) {
    throw new AuthFailure(
      'Expired',
      `the request's time ${Number.isFinite(requestTimeMs) ? new Date(requestTimeMs).toISOString() : 'is unreadable and'} is more than ${CLOCK_SKEW_MS / 60_000} minutes from the server's ${new Date(nowMs).toISOString()}`,
    )
  }
}
