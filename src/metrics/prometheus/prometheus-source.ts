/**
 * PromQL alarm conditions, answered by a Prometheus server's HTTP API (GET /api/v1/query, an
 * instant query at the period's end). A scalar or a one-series vector is a value; an empty vector
 * is no data; several series are an error (aggregate in the query). A query that does not parse
 * is a bad_query error, a server that does not answer in time an unavailable one: the alarm shows
 * either as its INSUFFICIENT_DATA reason and nothing scales.
 */
import { PromqlError, type PromqlSource } from '../../ports/promql-source.ts'

/** An alarm evaluation waits this long for Prometheus; the engine's tick must not stall on it. */
const QUERY_TIMEOUT_MS = 2_000
/** Prometheus' answers to one instant query are small; a larger one is not what we asked for. */
const RESPONSE_BYTES_MAX = 1024 * 1024

interface PrometheusResponse {
  readonly status: 'success' | 'error'
  readonly errorType?: string
  readonly error?: string
  readonly data?: {
    readonly resultType: 'vector' | 'scalar' | 'matrix' | 'string'
    readonly result: unknown
  }
}

export function createPrometheusSource(options: { baseUrl: string; fetch?: typeof fetch }): PromqlSource {
  const fetchFunction = options.fetch ?? fetch
  const base = options.baseUrl.replace(/\/+$/, '')
  return {
    async query(expression, atMs) {
      const url = `${base}/api/v1/query?${new URLSearchParams({ query: expression, time: String(atMs / 1000) })}`
      let response: Response
      try {
        response = await fetchFunction(url, { signal: AbortSignal.timeout(QUERY_TIMEOUT_MS) })
      } catch (error) {
        throw new PromqlError(`Prometheus at ${base} did not answer: ${describe(error)}`, 'unavailable', {
          cause: error,
        })
      }
      const text = await response.text()
      if (text.length > RESPONSE_BYTES_MAX) throw new PromqlError('Prometheus answered more than 1 MiB', 'bad_query')
      let body: PrometheusResponse
      try {
        body = JSON.parse(text) as PrometheusResponse
      } catch (error) {
        throw new PromqlError(`Prometheus answered ${response.status} without JSON`, 'unavailable', { cause: error })
      }
      if (body.status !== 'success' || !body.data) {
        const kind = body.errorType === 'bad_data' ? 'bad_query' : 'unavailable'
        throw new PromqlError(`PromQL ${body.errorType ?? 'error'}: ${body.error ?? response.status}`, kind)
      }
      return resultValue(body.data.resultType, body.data.result)
    },
  }
}

function resultValue(resultType: string, result: unknown): number | null {
  if (resultType === 'scalar') return sampleValue(result)
  if (resultType !== 'vector' || !Array.isArray(result)) {
    throw new PromqlError(
      `the query returns a ${resultType}; an alarm needs a scalar or an instant vector`,
      'bad_query',
    )
  }
  if (result.length === 0) return null
  if (result.length > 1) {
    throw new PromqlError(
      `the query returns ${result.length} series; aggregate them (sum, max, avg) to one`,
      'bad_query',
    )
  }
  return sampleValue((result[0] as { value?: unknown }).value)
}

/** A sample is [unixSeconds, "value"]; NaN and infinities are no data. */
function sampleValue(sample: unknown): number | null {
  if (!Array.isArray(sample) || typeof sample[1] !== 'string')
    throw new PromqlError('an unexpected sample shape', 'bad_query')
  const value = Number(sample[1])
  return Number.isFinite(value) ? value : null
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))
