/**
 * Runs work one at a time per key, in arrival order, for every allowlist driver: two changes to
 * the same pg_hba.conf would otherwise both read the old file and the second rename would drop
 * the first's rule, and a burst of launches holds one admin connection per server instead of one
 * each. Only this process is covered; across processes the drivers lock on the server itself
 * (MySQL's GET_LOCK) or run behind leader election.
 */
import { AllowlistError } from '../ports/database-allowlist.ts'

/** Changes that may wait for one key; past that, callers are told to retry later. */
export const QUEUED_PER_KEY_MAX = 1_000

interface Lane {
  tail: Promise<void>
  waiting: number
}

export interface KeyedQueue {
  run<T>(key: string, work: () => Promise<T>): Promise<T>
}

export function createKeyedQueue(what: string): KeyedQueue {
  const lanes = new Map<string, Lane>()
  return {
    async run<T>(key: string, work: () => Promise<T>): Promise<T> {
      const lane = lanes.get(key) ?? { tail: Promise.resolve(), waiting: 0 }
      if (lane.waiting >= QUEUED_PER_KEY_MAX)
        throw new AllowlistError(`${QUEUED_PER_KEY_MAX} changes already wait for ${what} ${key}`, 'Unreachable')
      lanes.set(key, lane)
      lane.waiting += 1
      const result = lane.tail.then(work)
      // The next change waits for this one to settle, whatever its outcome; the caller sees the outcome.
      lane.tail = result.then(
        () => undefined,
        () => undefined,
      )
      try {
        return await result
      } finally {
        lane.waiting -= 1
        if (lane.waiting === 0) lanes.delete(key)
      }
    },
  }
}
