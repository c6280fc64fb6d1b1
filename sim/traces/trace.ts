/** A load trace: requests per second, one value per step, held until the next. */
export interface Trace {
  readonly name: string
  readonly stepSeconds: number
  /** Requests per second over each step. */
  readonly values: readonly number[]
  /** Where a real trace comes from, and its licence. */
  readonly source?: string
}

export const traceDurationSeconds = (trace: Trace): number => trace.values.length * trace.stepSeconds

/** The load at `offsetSeconds` from the trace's start; 0 after its end. */
export function loadAt(trace: Trace, offsetSeconds: number): number {
  const index = Math.floor(offsetSeconds / trace.stepSeconds)
  return trace.values[index] ?? 0
}

/** The same trace with every value multiplied by `factor`. */
export const scaled = (trace: Trace, factor: number): Trace => ({
  ...trace,
  values: trace.values.map((value) => value * factor),
})
