/**
 * What `billow simulate` does, kept in sim/ (the CLI imports it dynamically, like serve imports
 * the server): load and validate the scenario, run it with its own policy (and with the HPA and
 * target-tracking baselines when asked), write report.json and report.html, optionally one SVG
 * per run, and return a summary table.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { htmlReport, METRICS_HEADER, metricsRow } from './report/html-report.ts'
import { lineChart } from './report/svg-chart.ts'
import { loadScenario } from './scenario/load-scenario.ts'
import type { PolicySpec } from './scenario/schema.ts'
import { type SimulationResult, simulate } from './simulator.ts'

export interface SimulateOptions {
  readonly scenarioPath: string
  readonly outDirectory: string
  /** Also run the HPA and target-tracking baselines at this CPU target. */
  readonly compareAtCpuPercent?: number
  readonly svg?: boolean
}

export async function runSimulation(options: SimulateOptions): Promise<{ summary: string; files: string[] }> {
  const scenario = loadScenario(options.scenarioPath)
  const policies: (PolicySpec | undefined)[] = [undefined]
  if (options.compareAtCpuPercent !== undefined) {
    const targetCpuPercent = options.compareAtCpuPercent
    const hasThresholdRules = scenario.rules.some((rule) => rule.when !== undefined)
    if (scenario.policy.kind !== 'billow-rules' && hasThresholdRules) policies.push({ kind: 'billow-rules' })
    if (scenario.policy.kind !== 'hpa') policies.push({ kind: 'hpa', targetCpuPercent })
    if (scenario.policy.kind !== 'target-tracking') policies.push({ kind: 'target-tracking', targetCpuPercent })
  }
  const results: SimulationResult[] = []
  for (const policy of policies) {
    results.push(await simulate(scenario, { scenarioPath: options.scenarioPath, ...(policy ? { policy } : {}) }))
  }
  mkdirSync(options.outDirectory, { recursive: true })
  const files = [join(options.outDirectory, 'report.json'), join(options.outDirectory, 'report.html')]
  writeFileSync(files[0] as string, `${JSON.stringify({ scenario, results })}\n`)
  writeFileSync(files[1] as string, htmlReport(results))
  if (options.svg) {
    for (const result of results) {
      const path = join(options.outDirectory, `${result.policy}.svg`)
      writeFileSync(path, instancesSvg(result))
      files.push(path)
    }
  }
  return { summary: markdownTable(results), files }
}

/** The metrics as a Markdown table, one row per policy (what bench/quality prints too). */
export function markdownTable(
  results: readonly SimulationResult[],
  firstColumn?: (result: SimulationResult) => string,
) {
  const header = firstColumn ? ['trace', ...METRICS_HEADER] : METRICS_HEADER
  const rows = results.map((result) =>
    firstColumn ? [firstColumn(result), ...metricsRow(result)] : metricsRow(result),
  )
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`
  const align = header.map((_, index) => (index < (firstColumn ? 2 : 1) ? '---' : '---:'))
  return [line(header), line(align), ...rows.map(line)].join('\n')
}

function instancesSvg(result: SimulationResult): string {
  const chart = lineChart({
    title: `${result.scenario}: ${result.policy}`,
    xSeconds: result.timeline.map((point) => point.offsetSeconds),
    series: [
      { label: 'InService', color: '#16a34a', values: result.timeline.map((p) => p.inService), step: true },
      { label: 'demand (SLO)', color: '#2563eb', values: result.timeline.map((p) => p.demand), step: true },
      { label: 'Pending', color: '#f59e0b', values: result.timeline.map((p) => p.pending), step: true },
    ],
  })
  const svg = chart.slice(chart.indexOf('<svg'), chart.indexOf('</svg>') + '</svg>'.length)
  return `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`
}
