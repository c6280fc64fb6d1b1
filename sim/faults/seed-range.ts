/**
 * Runs a range of seeds and reports each failure with its seed, the step it broke at, and the
 * shortest command that replays it. Shared by the test files (a few hundred seeds each) and the
 * soak run (as many as asked).
 */
import { runSeed, type SeedResult } from './run-seed.ts'

/** Fault steps per seed in `npm test`: short runs, many seeds; the soak run uses the full length. */
export const TEST_FAULT_STEPS = 10

export const reproduceCommand = (seed: number, faultSteps?: number): string =>
  `npm run sim:soak -- --seed ${seed}${faultSteps === undefined ? '' : ` --steps ${faultSteps}`}`

export function describeFailure(result: SeedResult, faultSteps?: number): string {
  const failure = result.failure
  if (!failure) return `seed=${result.seed}: every invariant held`
  return `seed=${result.seed} step=${failure.step}: ${failure.reason}\n  reproduce: ${reproduceCommand(result.seed, faultSteps)}`
}

export async function runSeeds(options: {
  readonly fromSeed: number
  readonly count: number
  readonly faultSteps?: number
  readonly onResult?: (result: SeedResult) => void
}): Promise<SeedResult[]> {
  const failures: SeedResult[] = []
  for (let seed = options.fromSeed; seed < options.fromSeed + options.count; seed += 1) {
    const result = await runSeed(seed, { faultSteps: options.faultSteps })
    options.onResult?.(result)
    if (result.failure) failures.push(result)
  }
  return failures
}
