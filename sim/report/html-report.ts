/**
 * The simulator's report as one self-contained HTML page: the scenario's metrics per policy, and
 * for each run charts of load against capacity, instances, CPU and latency, with the activities
 * marked (green: successful, orange: warning or failed, grey: rejected).
 */
import type { SimulationResult } from '../simulator.ts'
import { escapeHtml, formatDuration, lineChart } from './svg-chart.ts'

/** Points drawn per chart; longer timelines are thinned (every k-th point) to keep the page small. */
const CHART_POINTS_MAX = 2_000

const STATUS_COLOR: Readonly<Record<string, string>> = {
  Successful: '#16a34a',
  Warning: '#ea580c',
  Failed: '#dc2626',
  Rejected: '#9ca3af',
}

export function metricsRow(result: SimulationResult): string[] {
  const m = result.metrics
  return [
    result.policy,
    m.underAccuracyPercent.toFixed(1),
    m.underTimeSharePercent.toFixed(1),
    m.overAccuracyPercent.toFixed(1),
    m.overTimeSharePercent.toFixed(1),
    m.instabilityPercent.toFixed(1),
    m.instanceHours.toFixed(1),
    formatDuration(m.sloViolationSeconds),
    String(result.activities.filter((activity) => activity.status !== 'Rejected').length),
  ]
}

export const METRICS_HEADER = [
  'policy',
  'θU %',
  'τU %',
  'θO %',
  'τO %',
  'instability %',
  'instance-hours',
  'SLO violated (h:mm)',
  'activities',
]

function runSection(result: SimulationResult): string {
  const step = Math.max(1, Math.ceil(result.timeline.length / CHART_POINTS_MAX))
  const points = result.timeline.filter((_, index) => index % step === 0)
  const xSeconds = points.map((point) => point.offsetSeconds)
  const markers = result.activities.map((activity) => ({
    atSeconds: activity.offsetSeconds,
    color: STATUS_COLOR[activity.status] ?? '#6b7280',
    label: `${formatDuration(activity.offsetSeconds)} ${activity.kind} ${activity.status}: ${activity.description}`,
  }))
  const charts = [
    lineChart({
      title: 'Load and capacity (requests per second)',
      xSeconds,
      series: [
        { label: 'load', color: '#2563eb', values: points.map((p) => p.loadRps) },
        { label: 'capacity (InService)', color: '#16a34a', values: points.map((p) => p.capacityRps), step: true },
        { label: 'served', color: '#9333ea', values: points.map((p) => p.servedRps) },
      ],
    }),
    lineChart({
      title: 'Instances (activities marked)',
      xSeconds,
      markers,
      series: [
        { label: 'InService', color: '#16a34a', values: points.map((p) => p.inService), step: true },
        { label: 'Pending', color: '#f59e0b', values: points.map((p) => p.pending), step: true },
        { label: 'desired', color: '#6b7280', values: points.map((p) => p.desiredCapacity), step: true },
        { label: 'demand (SLO)', color: '#2563eb', values: points.map((p) => p.demand), step: true },
      ],
    }),
    lineChart({
      title: 'CPU (%) and latency (ms)',
      xSeconds,
      series: [
        { label: 'CPU %', color: '#dc2626', values: points.map((p) => p.cpuPercent) },
        { label: 'latency ms', color: '#0891b2', values: points.map((p) => Math.min(p.latencyMs, 1000)) },
      ],
    }),
  ]
  const activityRows = result.activities
    .map(
      (activity) =>
        `<tr><td>${formatDuration(activity.offsetSeconds)}</td><td>${escapeHtml(activity.kind)}</td><td>${escapeHtml(activity.status)}</td><td>${escapeHtml(activity.description)}</td></tr>`,
    )
    .join('\n')
  return [
    `<h2>${escapeHtml(result.policy)}</h2>`,
    ...charts,
    `<details><summary>${result.activities.length} activities</summary><table><tr><th>at</th><th>kind</th><th>status</th><th>description</th></tr>${activityRows}</table></details>`,
  ].join('\n')
}

export function htmlReport(results: readonly SimulationResult[]): string {
  const first = results[0]
  const title = first ? `Billow simulation: ${first.scenario}` : 'Billow simulation'
  const table = [
    `<tr>${METRICS_HEADER.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr>`,
    ...results.map(
      (result) =>
        `<tr>${metricsRow(result)
          .map((cell) => `<td>${escapeHtml(cell)}</td>`)
          .join('')}</tr>`,
    ),
  ].join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#111}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 8px;font-size:13px;text-align:right}td:first-child,th:first-child{text-align:left}figcaption{font-weight:bold;margin-top:1em}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p>Trace ${escapeHtml(first?.trace.name ?? '')}${first?.trace.source ? ` (${escapeHtml(first.trace.source)})` : ''}, ${formatDuration(first?.durationSeconds ?? 0)} simulated, engine tick ${first?.tickSeconds ?? 0} s, seed ${first?.seed ?? 0}.
Metrics: SPEC RG elasticity (θ accuracy, τ time share; U under-, O over-provisioning), see docs/simulation.md.</p>
<table>${table}</table>
${results.map(runSection).join('\n')}
</body></html>
`
}
