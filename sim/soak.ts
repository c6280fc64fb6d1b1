/**
 * The nightly-size fault run, and the replay of one seed:
 *
 *   npm run sim:soak -- --seeds 100000 [--from 0] [--steps 120]   many seeds; failures with their seeds
 *   npm run sim:soak -- --seed 22 [--steps 30]                    one seed; prints its event log
 *
 * Exits 1 when any seed breaks an invariant.
 */
import { parseArgs } from 'node:util'
import { FAULT_STEPS_DEFAULT, runSeed } from './faults/run-seed.ts'
import { describeFailure, runSeeds } from './faults/seed-range.ts'

/** Seeds between progress lines: about a minute of work on a small machine. */
const PROGRESS_EVERY_SEEDS = 500

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1000' },
    from: { type: 'string', default: '0' },
    seed: { type: 'string' },
    steps: { type: 'string' },
  },
})
const faultSteps = values.steps === undefined ? FAULT_STEPS_DEFAULT : Number(values.steps)

if (values.seed !== undefined) {
  const result = await runSeed(Number(values.seed), { faultSteps })
  process.stdout.write(`${result.events.join('\n')}\n`)
  process.stdout.write(`${describeFailure(result, values.steps === undefined ? undefined : faultSteps)}\n`)
  process.exitCode = result.failure ? 1 : 0
} else {
  const count = Number(values.seeds)
  const fromSeed = Number(values.from)
  const startedAtMs = Date.now()
  let done = 0
  const failures = await runSeeds({
    fromSeed,
    count,
    faultSteps,
    onResult: (result) => {
      done += 1
      if (result.failure)
        process.stdout.write(`FAIL ${describeFailure(result, values.steps === undefined ? undefined : faultSteps)}\n`)
      if (done % PROGRESS_EVERY_SEEDS === 0) {
        process.stdout.write(`${done}/${count} seeds, ${((Date.now() - startedAtMs) / 1000).toFixed(0)} s\n`)
      }
    },
  })
  process.stdout.write(
    `${count} seeds from ${fromSeed}, ${failures.length} failed, ${((Date.now() - startedAtMs) / 1000).toFixed(1)} s\n`,
  )
  process.exitCode = failures.length > 0 ? 1 : 0
}
