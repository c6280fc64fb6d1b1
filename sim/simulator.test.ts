/**
 * The simulator's parts: SPEC metrics on known samples, the baselines' arithmetic, scenario
 * validation, the shipped trace and example scenarios, and one short run per policy through
 * `runSimulation` (what `billow simulate` calls) that must scale out after a load step.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { elasticityMetrics } from './metrics/elasticity.ts'
import { hpaPolicy } from './policies/hpa.ts'
import type { PolicyView } from './policies/policy.ts'
import { runSimulation } from './run-simulation.ts'
import { loadScenario, parseScenario } from './scenario/load-scenario.ts'
import type { SimulationResult } from './simulator.ts'
import { loadCsvTrace } from './traces/csv-trace.ts'

const HERE = fileURLToPath(new URL('.', import.meta.url))

test('SPEC elasticity metrics on a known timeline', () => {
  const metrics = elasticityMetrics([
    { durationSeconds: 10, demand: 2, supply: 2, billed: 2, sloViolated: false },
    { durationSeconds: 10, demand: 4, supply: 2, billed: 3, sloViolated: true },
    { durationSeconds: 10, demand: 4, supply: 5, billed: 5, sloViolated: false },
    { durationSeconds: 10, demand: 2, supply: 5, billed: 5, sloViolated: false },
  ])
  // Under: (4−2)/4 over one of four samples = 12.5%; over: 1/4 + 3/2 over 4 samples = 43.75%.
  assert.equal(metrics.underAccuracyPercent, 12.5)
  assert.equal(metrics.overAccuracyPercent, 43.75)
  assert.equal(metrics.underTimeSharePercent, 25)
  assert.equal(metrics.overTimeSharePercent, 50)
  // Trends (supply, demand): (0,+) mismatch, (+,0) mismatch, (0,−) mismatch: 3 of 3 intervals.
  assert.equal(metrics.instabilityPercent, 100)
  assert.equal(metrics.instanceHours, (15 * 10) / 3600)
  assert.equal(metrics.sloViolationSeconds, 10)
})

test('HPA: ceil(current × metric / target), tolerance, scale-up limit, scale-down stabilisation', () => {
  const view = (nowMs: number, cpuPercent: number, ready: number, desiredCapacity = ready): PolicyView => ({
    nowMs,
    minSize: 1,
    maxSize: 100,
    desiredCapacity,
    inServiceLaunchedAtMs: Array(ready).fill(0),
    pending: 0,
    cpuPercent,
    latencyMs: 20,
  })
  const hpa = hpaPolicy({ targetCpuPercent: 60 })
  assert.equal(hpa.onTick(view(0, 64, 4)), null, 'within the 0.1 tolerance')
  const up = hpa.onTick(view(15_000, 90, 4))
  assert.equal(up?.kind === 'set-desired' ? up.desiredCapacity : 0, 6, 'ceil(4 × 90 / 60)')
  const limited = hpaPolicy({ targetCpuPercent: 10 }).onTick(view(0, 100, 2))
  assert.equal(limited?.kind === 'set-desired' ? limited.desiredCapacity : 0, 6, 'at most +4 or double per sync')
  const down = hpaPolicy({ targetCpuPercent: 60 })
  down.onTick(view(0, 60, 10))
  assert.equal(down.onTick(view(15_000, 30, 10)), null, 'the 300 s window still holds 10')
  for (let t = 30_000; t < 300_000; t += 15_000) down.onTick(view(t, 30, 10))
  const after = down.onTick(view(316_000, 30, 10))
  assert.equal(after?.kind === 'set-desired' ? after.desiredCapacity : 0, 5)
})

test('a scenario with a wrong field is refused with the field named', () => {
  assert.throws(
    () =>
      parseScenario('name: x\ninstanceTypes: {a: {rpsAtFullCpu: 0}}\ngroup: {minSize: 3, maxSize: 2}\n', 'bad.yaml'),
    (error: Error) => error.name === 'ScenarioError' && /instanceTypes\.a\.rpsAtFullCpu/.test(error.message),
  )
})

test('the shipped example scenarios validate and the real trace loads', () => {
  const examples = readdirSync(join(HERE, 'scenarios')).filter((file) => /\.(ya?ml|json)$/.test(file))
  assert.ok(examples.length >= 2)
  for (const file of examples) loadScenario(join(HERE, 'scenarios', file))
  const trace = loadCsvTrace({
    path: join(HERE, 'traces/data/azure_llm_code_2023_per_minute.csv'),
    column: 'requests',
    stepSeconds: 60,
  })
  assert.equal(trace.values.length, 58)
  assert.equal(Math.max(...trace.values), 585)
})

test('billow simulate: a load step, each policy scales out, report files written', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'billow-simulate-'))
  try {
    const scenarioPath = join(directory, 'step.yaml')
    const scenario = [
      'name: step',
      'tickSeconds: 10',
      'instanceTypes: { app: { rpsAtFullCpu: 100 } }',
      'group: { minSize: 1, maxSize: 12, desiredCapacity: 2, defaultCooldownSeconds: 60, instanceType: app }',
      'rules:',
      '  - name: add 2',
      '    adjustmentType: QuantityChangeInCapacity',
      '    adjustmentValue: 2',
      '    when: { comparison: above, threshold: 70, periodSeconds: 60, evaluationPeriods: 1 }',
      'trace: { kind: step, durationSeconds: 1200, stepSeconds: 60, fromRps: 100, toRps: 600, atSeconds: 120 }',
      'boot: { minSeconds: 20, maxSeconds: 40 }',
    ].join('\n')
    writeFileSync(scenarioPath, scenario)
    const out = join(directory, 'out')
    const { summary } = await runSimulation({ scenarioPath, outDirectory: out, compareAtCpuPercent: 60 })
    assert.match(summary, /billow-rules/)
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { results: SimulationResult[] }
    assert.deepEqual(
      report.results.map((result) => result.policy),
      ['billow-rules', 'hpa', 'target-tracking'],
    )
    for (const result of report.results) {
      const last = result.timeline.at(-1)
      assert.ok(last && last.inService >= 6, `${result.policy} ends with ${last?.inService} InService for 600 rps`)
    }
    const html = readFileSync(join(out, 'report.html'), 'utf8')
    assert.match(html, /<svg /)
    assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/, 'no scripts, no external assets')
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
})
