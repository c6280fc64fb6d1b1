/**
 * Tables in the compact, borderless style of kubectl and docker: an upper-case header row and
 * columns two spaces apart. Cells are plain text (no colour), so output stays greppable and
 * pipes cleanly.
 */
import Table from 'cli-table3'

export type CellValue = string | number | boolean | null | undefined

const BORDERLESS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
}

const STYLE = { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 0 }

/** What a missing value looks like in every table. */
export const NONE = '-'

const cellText = (value: CellValue): string => {
  if (value === null || value === undefined || value === '') return NONE
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  return String(value)
}

// cli-table3 pads the last column too; trailing blanks only get in the way of diffs and greps.
const trimLines = (text: string): string =>
  text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')

/** Rows under an upper-cased header. */
export function renderTable(head: readonly string[], rows: readonly (readonly CellValue[])[]): string {
  const table = new Table({ head: head.map((title) => title.toUpperCase()), chars: BORDERLESS, style: STYLE })
  for (const row of rows) table.push(row.map(cellText))
  return trimLines(table.toString())
}

/** A describe view: one `label  value` line per field, labels aligned. */
export function renderFields(fields: readonly (readonly [string, CellValue])[]): string {
  const table = new Table({ chars: BORDERLESS, style: STYLE })
  for (const [label, value] of fields) table.push([label, cellText(value)])
  return trimLines(table.toString())
}

/** Shortens long free text (causes, messages) for a table cell; describe views show it whole. */
export function truncate(text: string | null | undefined, maxChars: number): string {
  if (!text) return ''
  const oneLine = text.replace(/\s+/g, ' ').trim()
  return oneLine.length <= maxChars ? oneLine : `${oneLine.slice(0, Math.max(0, maxChars - 1))}…`
}

/** `KEY=VALUE, …` for env and tags; `-` when empty. */
export function formatPairs(pairs: Readonly<Record<string, string>> | null | undefined): string {
  const entries = Object.entries(pairs ?? {})
  return entries.length === 0 ? NONE : entries.map(([key, value]) => `${key}=${value}`).join(', ')
}

const MIB = 1024 * 1024

/** Instance memory sizes: `256 MiB`, `2 GiB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MIB && bytes % (1024 * MIB) === 0) return `${bytes / (1024 * MIB)} GiB`
  if (bytes >= MIB) return `${Math.round((bytes / MIB) * 10) / 10} MiB`
  return `${bytes} B`
}
