/**
 * bench/quality: scaling quality of Billow's simple rules against the Kubernetes HPA and cloud
 * target-tracking baselines, on the same engine, traces, boot times and seeds, with the SPEC RG
 * elasticity metrics (docs/simulation.md). Prints a Markdown table for BENCHMARKS.md.
 *
 *   node --import tsx bench/quality/run.ts [--only lunch-peak,azure-llm-code] [--target-cpu 60]
 *
 * Billow's policy is its simple rules executed by a CPU threshold in the scenario driver (the
 * alarm service of issue 4 is not wired into the simulator yet).
 */
import { availableParallelism, cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { markdownTable } from '../../sim/run-simulation.ts'
import { type Scenario, scenarioSchema } from '../../sim/scenario/schema.ts'
import { type SimulationResult, simulate } from '../../sim/simulator.ts'

const DATA = fileURLToPath(new URL('../../sim/traces/data/', import.meta.url))

const { values } = parseArgs({
  options: { only: { type: 'string' }, 'target-cpu': { type: 'string', default: '60' } },
})
const targetCpuPercent = Number(values['target-cpu'])

/** Billow's rules for every trace: add half (at least 2) after 2 minutes above 70%, remove 1 after 5 below 35%. */
const billowRules = [
  {
    name: 'cpu high add half',
    adjustmentType: 'PercentChangeInCapacity',
    adjustmentValue: 50,
    minAdjustmentMagnitude: 2,
    when: { metric: 'cpu', comparison: 'above', threshold: 70, periodSeconds: 60, evaluationPeriods: 2 },
  },
  {
    name: 'cpu low remove 1',
    adjustmentType: 'QuantityChangeInCapacity',
    adjustmentValue: -1,
    cooldownSeconds: 120,
    when: { metric: 'cpu', comparison: 'below', threshold: 35, periodSeconds: 60, evaluationPeriods: 5 },
  },
]

const scenario = (name: string, trace: unknown, rpsAtFullCpu: number, maxSize = 40): Scenario =>
  scenarioSchema.parse({
    name,
    seed: 7,
    tickSeconds: 5,
    instanceTypes: { app: { rpsAtFullCpu, baseLatencyMs: 20 } },
    group: { minSize: 1, maxSize, desiredCapacity: 2, defaultCooldownSeconds: 180, instanceType: 'app' },
    rules: billowRules,
    trace,
    boot: { minSeconds: 30, maxSeconds: 55 },
    slo: { cpuPercent: 80 },
  })

const HOUR = 3600
const scenarios: Scenario[] = [
  scenario(
    'lunch-peak',
    { kind: 'lunch-peak', startHour: 9, durationSeconds: 6 * HOUR, stepSeconds: 60, baseRps: 150, peakRps: 1800 },
    100,
  ),
  scenario(
    'flash-crowd',
    { kind: 'flash-crowd', durationSeconds: 2 * HOUR, stepSeconds: 10, baseRps: 200, peakRps: 2000, atSeconds: 1800 },
    100,
  ),
  scenario(
    'step',
    { kind: 'step', durationSeconds: 2 * HOUR, stepSeconds: 60, fromRps: 200, toRps: 1200, atSeconds: 1800 },
    100,
  ),
  scenario(
    'slow-ramp',
    { kind: 'slow-ramp', durationSeconds: 3 * HOUR, stepSeconds: 60, fromRps: 100, toRps: 2000 },
    100,
  ),
  scenario(
    'noise',
    { kind: 'noise', durationSeconds: HOUR, stepSeconds: 30, meanRps: 600, amplitudeRps: 400, seed: 3 },
    100,
  ),
  scenario(
    'azure-llm-code',
    {
      kind: 'csv',
      path: `${DATA}azure_llm_code_2023_per_minute.csv`,
      column: 'requests',
      stepSeconds: 60,
      scale: 1 / 60,
      source: 'Azure LLM inference trace 2023 (code), CC BY 4.0',
    },
    0.5,
  ),
  scenario(
    'melbourne-pedestrians',
    {
      kind: 'csv',
      path: `${DATA}melbourne_pedestrians_hourly_2023-04.csv`,
      column: 'location_4',
      // One week, an hour of the trace replayed in two minutes.
      rows: 168,
      stepSeconds: 120,
      scale: 0.4,
      source: 'City of Melbourne pedestrian counts via facebook/prophet, MIT',
    },
    100,
  ),
]

const only = values.only?.split(',')
const chosen = scenarios.filter((candidate) => !only || only.includes(candidate.name))
const startedAtMs = Date.now()
const results: SimulationResult[] = []
for (const chosenScenario of chosen) {
  for (const policy of [
    undefined,
    { kind: 'hpa', targetCpuPercent } as const,
    { kind: 'target-tracking', targetCpuPercent } as const,
  ]) {
    const runStartedAtMs = Date.now()
    const result = await simulate(chosenScenario, policy ? { policy } : {})
    results.push(result)
    process.stderr.write(
      `${chosenScenario.name} ${result.policy}: ${((Date.now() - runStartedAtMs) / 1000).toFixed(1)} s\n`,
    )
  }
}
const cpu = cpus()[0]?.model ?? 'unknown CPU'
process.stdout.write(
  `${new Date().toISOString().slice(0, 10)}, ${availableParallelism()} × ${cpu}, Node ${process.version}, ` +
    `${((Date.now() - startedAtMs) / 1000).toFixed(0)} s wall; baselines at ${targetCpuPercent}% CPU; SLO: CPU ≤ 80%\n\n`,
)
process.stdout.write(`${markdownTable(results, (result) => result.scenario)}\n`)
