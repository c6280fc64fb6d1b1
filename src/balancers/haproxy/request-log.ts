/**
 * Per-request figures that `show stat` does not have. `show stat` gives rates and counters but
 * latency only as a mean of the last 1024 responses, with no percentile. So each frontend logs
 * every request into an in-memory ring of fixed size (haproxy-config.ts), which `show events`
 * dumps; latency percentiles and the error rate are computed here over the last
 * STATS_WINDOW_SECONDS. Exact, but over what the ring still holds: under heavy load the ring
 * covers less than the window (REQUEST_LOG_BYTES / ~40 bytes per request), and the figures are
 * those of the most recent requests.
 */
import type { ListenerProtocol } from '../../core/load-balancer.ts'
import { REQUEST_LOG_BYTES, REQUEST_LOG_RING } from './haproxy-config.ts'
import { runtimeCommand } from './runtime-api.ts'

/** The span stats() describes, in seconds; the same as the built-in balancer's. */
export const STATS_WINDOW_SECONDS = 10
/** A dump this close to the ring's size means the ring wrapped: older requests are gone. */
const RING_FULL_SHARE = 0.9

export interface RequestLogEntry {
  /** When haproxy accepted the connection (TCP) or the request (HTTP), epoch milliseconds. */
  readonly atMs: number
  readonly frontend: string
  /** HTTP status sent to the client; null for TCP. */
  readonly status: number | null
  /** HTTP: from the request's first byte to the response's last (%Ta); TCP: the session's duration (%Tt). */
  readonly latencyMs: number
  /** Two letters: who ended the session and in which phase ('--' when it ended normally). */
  readonly terminationState: string
}

export interface RequestLog {
  readonly entries: readonly RequestLogEntry[]
  /** Epoch ms from which the ring holds every request: its oldest entry when it wrapped, else null. */
  readonly completeSinceMs: number | null
}

/** Lines as HTTP_LOG_FORMAT and TCP_LOG_FORMAT write them: "<ms> <frontend> <status|-> <latency> <state>". */
export function parseRequestLog(text: string): RequestLog {
  const entries: RequestLogEntry[] = []
  for (const line of text.split('\n')) {
    const [at, frontend, status, latency, terminationState] = line.trim().split(' ')
    const atMs = Number(at)
    const latencyMs = Number(latency)
    if (!Number.isInteger(atMs) || frontend === undefined || terminationState === undefined) continue
    if (!Number.isFinite(latencyMs) || latencyMs < 0) continue // -1: the request never completed
    entries.push({ atMs, frontend, status: status === '-' ? null : Number(status), latencyMs, terminationState })
  }
  const wrapped = Buffer.byteLength(text) >= REQUEST_LOG_BYTES * RING_FULL_SHARE
  return { entries, completeSinceMs: wrapped ? (entries[0]?.atMs ?? null) : null }
}

export async function readRequestLog(socketPath: string): Promise<RequestLog> {
  return parseRequestLog(await runtimeCommand(socketPath, `show events ${REQUEST_LOG_RING}`))
}

/**
 * An error is the backends' fault: a 5xx answer (haproxy's own 502/503/504 included) for HTTP; for
 * TCP a session that ended while connecting or queued for a backend, on the server's side.
 */
function isError(entry: RequestLogEntry, protocol: ListenerProtocol): boolean {
  if (protocol === 'HTTP') return entry.status !== null && entry.status >= 500
  const [side, phase] = [entry.terminationState[0] ?? '-', entry.terminationState[1] ?? '-']
  return (phase === 'C' || phase === 'Q') && side !== 'C' && side !== 'c'
}

/** Nearest-rank percentile of ascending values. */
function percentile(sorted: readonly number[], share: number): number | null {
  if (sorted.length === 0) return null
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? null
}

export interface WindowFigures {
  readonly requestsPerSecond: number
  readonly latencyP50Ms: number | null
  readonly latencyP99Ms: number | null
  readonly errorRatePercent: number
}

/** One frontend's figures over the window that ends at `nowMs`. */
export function windowFigures(
  log: RequestLog,
  frontend: string,
  protocol: ListenerProtocol,
  nowMs: number,
): WindowFigures {
  const windowStartMs = Math.max(nowMs - STATS_WINDOW_SECONDS * 1000, log.completeSinceMs ?? 0)
  const entries = log.entries.filter((entry) => entry.frontend === frontend && entry.atMs >= windowStartMs)
  const coveredSeconds = Math.max(1, (nowMs - windowStartMs) / 1000)
  const latencies = entries.map((entry) => entry.latencyMs).sort((a, b) => a - b)
  const errors = entries.filter((entry) => isError(entry, protocol)).length
  return {
    requestsPerSecond: entries.length / coveredSeconds,
    latencyP50Ms: percentile(latencies, 0.5),
    latencyP99Ms: percentile(latencies, 0.99),
    errorRatePercent: entries.length === 0 ? 0 : (100 * errors) / entries.length,
  }
}
