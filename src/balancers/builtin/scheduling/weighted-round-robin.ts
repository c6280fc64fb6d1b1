/**
 * Smooth weighted round robin (nginx's): every pick raises each backend's current weight by its
 * weight, takes the highest, and lowers the winner by the total. Weights 3:1 give A A B A rather
 * than A A A B, so a heavy backend never gets a burst of consecutive requests.
 */
import type { Scheduler } from './scheduler.ts'

/** Stale entries (backends gone from the candidates) kept before pruning, as a multiple of the candidates. */
const STALE_ENTRIES_FACTOR = 2

export function createWeightedRoundRobin(): Scheduler {
  const currentWeights = new Map<string, number>()
  return {
    pick(candidates) {
      if (candidates.length === 0) return undefined
      let total = 0
      let best: (typeof candidates)[number] | undefined
      let bestWeight = Number.NEGATIVE_INFINITY
      for (const candidate of candidates) {
        const weight = (currentWeights.get(candidate.key) ?? 0) + candidate.weight
        currentWeights.set(candidate.key, weight)
        total += candidate.weight
        if (weight > bestWeight) {
          bestWeight = weight
          best = candidate
        }
      }
      if (best !== undefined) currentWeights.set(best.key, bestWeight - total)
      if (currentWeights.size > candidates.length * STALE_ENTRIES_FACTOR) {
        const keys = new Set(candidates.map((candidate) => candidate.key))
        for (const key of currentWeights.keys()) if (!keys.has(key)) currentWeights.delete(key)
      }
      return best
    },
  }
}
