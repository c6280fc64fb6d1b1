/** A line chart as inline SVG: no scripts, no external assets, so the report opens anywhere. */

export interface Series {
  readonly label: string
  readonly color: string
  readonly values: readonly number[]
  /** Drawn as steps (counts) rather than straight segments (rates). */
  readonly step?: boolean
}

const WIDTH = 960
const HEIGHT = 220
const MARGIN = { left: 56, right: 16, top: 24, bottom: 28 }

export const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** `xSeconds` gives each point's time; markers are vertical ticks (activities) at given times. */
export function lineChart(options: {
  readonly title: string
  readonly xSeconds: readonly number[]
  readonly series: readonly Series[]
  readonly markers?: readonly { readonly atSeconds: number; readonly color: string; readonly label: string }[]
}): string {
  const xMax = Math.max(1, ...options.xSeconds)
  const yMax = niceCeiling(Math.max(1, ...options.series.flatMap((series) => series.values)))
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom
  const x = (seconds: number) => MARGIN.left + (seconds / xMax) * plotWidth
  const y = (value: number) => MARGIN.top + plotHeight - (value / yMax) * plotHeight
  const paths = options.series.map((series) => {
    let d = ''
    series.values.forEach((value, index) => {
      const px = x(options.xSeconds[index] ?? 0).toFixed(1)
      const py = y(value).toFixed(1)
      if (index === 0) d += `M${px},${py}`
      else if (series.step) d += `H${px}V${py}`
      else d += `L${px},${py}`
    })
    return `<path d="${d}" fill="none" stroke="${series.color}" stroke-width="1.5"><title>${escapeHtml(series.label)}</title></path>`
  })
  const grid = [0, 0.25, 0.5, 0.75, 1].map((fraction) => {
    const value = yMax * fraction
    return `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(value)}" y2="${y(value)}" stroke="#e5e7eb"/><text x="${MARGIN.left - 6}" y="${y(value) + 4}" text-anchor="end">${formatNumber(value)}</text>`
  })
  const hours = xMax / 3600
  const xStepSeconds = hours > 12 ? 7200 : hours > 3 ? 3600 : hours > 1 ? 1800 : 600
  const xTicks: string[] = []
  for (let seconds = 0; seconds <= xMax; seconds += xStepSeconds) {
    xTicks.push(`<text x="${x(seconds)}" y="${HEIGHT - 8}" text-anchor="middle">${formatDuration(seconds)}</text>`)
  }
  const markers = (options.markers ?? []).map(
    (marker) =>
      `<line x1="${x(marker.atSeconds)}" x2="${x(marker.atSeconds)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}" stroke="${marker.color}" stroke-opacity="0.5"><title>${escapeHtml(marker.label)}</title></line>`,
  )
  const legend = options.series.map(
    (series, index) =>
      `<rect x="${MARGIN.left + index * 170}" y="6" width="10" height="10" fill="${series.color}"/><text x="${MARGIN.left + 14 + index * 170}" y="15">${escapeHtml(series.label)}</text>`,
  )
  return [
    `<figure><figcaption>${escapeHtml(options.title)}</figcaption>`,
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" font-family="sans-serif" font-size="11">`,
    ...grid,
    ...xTicks,
    ...markers,
    ...paths,
    ...legend,
    '</svg></figure>',
  ].join('\n')
}

function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value))
  for (const factor of [1, 2, 2.5, 5, 10]) if (value <= factor * magnitude) return factor * magnitude
  return 10 * magnitude
}

const formatNumber = (value: number): string =>
  value >= 1000 ? `${(value / 1000).toFixed(value % 1000 === 0 ? 0 : 1)}k` : String(Math.round(value * 10) / 10)

export const formatDuration = (seconds: number): string => {
  const hours = Math.floor(seconds / 3600)
  const minutes = Math.floor((seconds % 3600) / 60)
  return `${hours}:${String(minutes).padStart(2, '0')}`
}
