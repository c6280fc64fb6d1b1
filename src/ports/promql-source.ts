/**
 * A Prometheus server, for alarm conditions written in PromQL. Implementation:
 * metrics/prometheus (its HTTP API, /api/v1/query).
 *
 * Contract: `query` evaluates an instant query at `atMs` and returns one number: a scalar, or
 * the single sample of an instant vector (more than one series is an error: aggregate with sum()
 * or max() in the query, so the alarm's meaning is written down). An empty vector is null
 * (no data). Throws PromqlError when the query does not parse or the server cannot be reached;
 * the message is shown as the alarm's reason.
 */
export interface PromqlSource {
  query(expression: string, atMs: number): Promise<number | null>
}

export class PromqlError extends Error {
  override readonly name = 'PromqlError'
  /** bad_query: the expression is wrong; unavailable: the server did not answer. */
  readonly kind: 'bad_query' | 'unavailable'
  constructor(message: string, kind: 'bad_query' | 'unavailable', options?: { cause?: unknown }) {
    super(message, options)
    this.kind = kind
  }
}
