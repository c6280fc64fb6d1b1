/** Each backend in turn, whatever its weight or load. */
import type { Scheduler } from './scheduler.ts'

export function createRoundRobin(): Scheduler {
  let next = 0
  return {
    pick(candidates) {
      if (candidates.length === 0) return undefined
      // Wrapping here, not at 2^53: the counter stays a small integer forever.
      next = (next + 1) % candidates.length
      return candidates[next]
    },
  }
}
