/**
 * Reads `show stat` (CSV, one row per frontend, backend and server; the header line names the
 * columns, so rows are read by name and a column added by a later HAProxy does not matter) and
 * turns a server row into Billow's words: health, drain, connections.
 */
import type { BackendHealth } from '../../core/load-balancer.ts'
import { runtimeCommand } from './runtime-api.ts'

export type StatRow = ReadonlyMap<string, string>

/** svname of a frontend's and a backend's own rows; every other svname is a server. */
export const FRONTEND_ROW = 'FRONTEND'
export const BACKEND_ROW = 'BACKEND'

export function parseShowStat(csv: string): StatRow[] {
  const lines = csv.split('\n').filter((line) => line.trim() !== '')
  const header = lines.find((line) => line.startsWith('# '))
  if (header === undefined) return []
  const columns = header.slice(2).split(',')
  return lines
    .filter((line) => !line.startsWith('#'))
    .map((line) => {
      const values = line.split(',') // no field Billow reads can hold a comma: names are sanitised
      return new Map(columns.map((column, index) => [column, values[index] ?? '']))
    })
}

/** Every row of the running haproxy. Throws BalancerError('Unavailable'). */
export async function showStat(socketPath: string): Promise<StatRow[]> {
  return parseShowStat(await runtimeCommand(socketPath, 'show stat'))
}

/** A counter or gauge; empty (not applicable) reads as 0. */
export const statNumber = (row: StatRow, column: string): number => {
  const value = Number(row.get(column) ?? '')
  return Number.isFinite(value) ? value : 0
}

/**
 * healthy / unhealthy by the check's thresholds, checking before a verdict. The status column says
 * UP, DOWN, DRAIN (up, no new requests), MAINT or NOLB, with " 1/3" while a transition counts
 * checks towards the other threshold; the check status says INI until a check finished.
 *   - UP, even "UP 1/3" (failing, not yet past the unhealthy threshold): healthy. haproxy sends it
 *     requests; so is a server whose state a reload carried over, before its first check there.
 *   - DOWN before any check, or "DOWN 1/2" (passing, not yet past the healthy threshold): checking.
 *     A new server starts so: register() forces it down until `rise` checks pass.
 *   - MAINT: unhealthy; it is not checked and takes no traffic.
 */
export function serverHealth(row: StatRow): BackendHealth {
  const status = row.get('status') ?? ''
  const checkStatus = row.get('check_status') ?? ''
  if (status.startsWith('MAINT')) return 'unhealthy'
  if (status.startsWith('UP') || status.startsWith('DRAIN') || status.startsWith('NOLB')) return 'healthy'
  if (checkStatus === '' || checkStatus.startsWith('INI')) return 'checking'
  return /^DOWN \d+\/\d+/.test(status) ? 'checking' : 'unhealthy'
}

/** Whether the server accepts new requests from load balancing: not drained, not in maintenance. */
export const isTakingNewRequests = (row: StatRow): boolean => {
  const status = row.get('status') ?? ''
  return !status.startsWith('DRAIN') && !status.startsWith('MAINT')
}

/** Connections the server has now, plus requests queued for it. */
export const serverSessions = (row: StatRow): number => statNumber(row, 'scur') + statNumber(row, 'qcur')

const HEALTH_ORDER: readonly BackendHealth[] = ['unhealthy', 'checking', 'healthy']

/** One instance is a server in every listener's backend; the least healthy of them speaks for it. */
export const leastHealthy = (healths: readonly BackendHealth[]): BackendHealth =>
  HEALTH_ORDER.find((health) => healths.includes(health)) ?? 'checking'
