/**
 * Loads a CSV trace: a header row, then one row per step. The value column is named (or the last
 * column is used); timestamps are not parsed: rows are taken as consecutive steps, which a
 * scenario may compress (an hourly trace replayed at one row per minute). A value may be read as
 * a count per step and turned into requests per second.
 */
import { readFileSync } from 'node:fs'
import type { Trace } from './trace.ts'

/** Rows read from one file: a year of minutes; bigger traces should be aggregated first. */
const CSV_ROWS_MAX = 600_000

export interface CsvTraceOptions {
  readonly path: string
  readonly column?: string
  /** Simulated seconds per row (after compression). */
  readonly stepSeconds: number
  /** Each value is multiplied by this (for example 1/60 to turn requests per minute into per second). */
  readonly scale?: number
  /** Rows to skip, and to keep, after the header. */
  readonly fromRow?: number
  readonly rows?: number
  readonly source?: string
}

export function loadCsvTrace(options: CsvTraceOptions): Trace {
  const lines = readFileSync(options.path, 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
  const header = (lines[0] ?? '').split(',').map((cell) => cell.trim())
  const columnIndex = options.column === undefined ? header.length - 1 : header.indexOf(options.column)
  if (columnIndex < 0) throw new Error(`${options.path}: no column "${options.column}" (columns: ${header.join(', ')})`)
  const from = 1 + (options.fromRow ?? 0)
  const to = Math.min(lines.length, from + (options.rows ?? CSV_ROWS_MAX), from + CSV_ROWS_MAX)
  const values: number[] = []
  for (let index = from; index < to; index += 1) {
    const cell = (lines[index] ?? '').split(',')[columnIndex]
    const value = Number(cell)
    if (cell === undefined || !Number.isFinite(value)) {
      throw new Error(`${options.path}:${index + 1}: "${cell}" in column ${header[columnIndex]} is not a number`)
    }
    values.push(value * (options.scale ?? 1))
  }
  if (values.length === 0) throw new Error(`${options.path}: no rows`)
  return {
    name:
      options.path
        .split('/')
        .at(-1)
        ?.replace(/\.csv$/, '') ?? 'csv',
    stepSeconds: options.stepSeconds,
    values,
    ...(options.source ? { source: options.source } : {}),
  }
}
