/**
 * The backend with the fewest requests (or connections) in flight; ties go round robin, so an
 * idle pool still spreads requests instead of sending all of them to the first backend.
 */
import type { Scheduler } from './scheduler.ts'

export function createLeastConnections(): Scheduler {
  let offset = 0
  return {
    pick(candidates) {
      const count = candidates.length
      if (count === 0) return undefined
      offset = (offset + 1) % count
      let best = candidates[offset]
      for (let step = 1; step < count; step++) {
        const candidate = candidates[(offset + step) % count]
        if (candidate !== undefined && best !== undefined && candidate.activeConnections < best.activeConnections) {
          best = candidate
        }
      }
      return best
    },
  }
}
