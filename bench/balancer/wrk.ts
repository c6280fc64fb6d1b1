/** Runs wrk against one URL and reads requests per second and latency percentiles from its report. */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

export const WRK = '/usr/bin/wrk'

export interface WrkResult {
  readonly requestsPerSecond: number
  readonly latencyP50Ms: number
  readonly latencyP99Ms: number
  /** Non-2xx answers plus socket errors wrk counted. */
  readonly errors: number
}

export interface WrkOptions {
  readonly url: string
  readonly connections: number
  readonly threads: number
  readonly durationSeconds: number
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 }

function milliseconds(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim())
  if (match === null) throw new Error(`wrk latency ${text} not understood`)
  return Number(match[1]) * (UNIT_MS[match[2] as string] ?? Number.NaN)
}

export function parseWrk(report: string): WrkResult {
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(report)
  const p50 = /^\s+50%\s+(\S+)$/m.exec(report)
  const p99 = /^\s+99%\s+(\S+)$/m.exec(report)
  if (rate === null || p50 === null || p99 === null) throw new Error(`wrk report not understood:\n${report}`)
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(report)
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(report)
  const socketErrors = socket === null ? 0 : socket.slice(1).reduce((sum, n) => sum + Number(n), 0)
  return {
    requestsPerSecond: Number(rate[1]),
    latencyP50Ms: milliseconds(p50[1] as string),
    latencyP99Ms: milliseconds(p99[1] as string),
    errors: Number(non2xx?.[1] ?? 0) + socketErrors,
  }
}

export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const { stdout } = await promisify(execFile)(WRK, [
    `-t${options.threads}`,
    `-c${options.connections}`,
    `-d${options.durationSeconds}s`,
    '--latency',
    options.url,
  ])
  return parseWrk(stdout)
}
