/**
 * Level-triggered: compares what balancer.json says about a backend with the servers haproxy runs
 * (one per listener backend) and issues the runtime API commands that close the gap. Used by
 * register() for one backend and after every start or reload for all of them (a reload restores
 * servers from the file and their health from `show servers state`, but not a drain).
 */
import type { InstanceId } from '../../core/ids.ts'
import type { LoadBalancer } from '../../core/load-balancer.ts'
import type { BackendRecord } from './balancer-directory.ts'
import { effectiveWeight } from './haproxy-config.ts'
import { listenerNames } from './haproxy-names.ts'
import { addServer, removeServer, setServerState, setServerWeight } from './server-commands.ts'
import { isTakingNewRequests, type StatRow, statNumber } from './show-stat.ts'

export interface ServerRow {
  /** `<backend>/<server>`, as the runtime API names it. */
  readonly name: string
  readonly backendName: string
  readonly row: StatRow
}

/** The instance's server in each of the load balancer's listener backends, where haproxy has one. */
export function serverRowsOf(
  rows: readonly StatRow[],
  loadBalancer: LoadBalancer,
  instanceId: InstanceId,
): ServerRow[] {
  const backendNames = new Set(loadBalancer.listeners.map((listener) => listenerNames(listener).backend))
  return rows.flatMap((row) => {
    const backendName = row.get('pxname') ?? ''
    if (!backendNames.has(backendName) || row.get('svname') !== instanceId) return []
    return [{ name: `${backendName}/${instanceId}`, backendName, row }]
  })
}

/** The addr column's spelling of an address: IPv6 in brackets. */
const statAddress = (address: string, port: number): string =>
  address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`

export async function reconcileServer(
  socketPath: string,
  loadBalancer: LoadBalancer,
  rows: readonly StatRow[],
  entry: BackendRecord,
): Promise<void> {
  const { backend } = entry
  const draining = entry.drainStartedAtMs !== null
  const existing = new Map(serverRowsOf(rows, loadBalancer, backend.instanceId).map((s) => [s.backendName, s]))
  for (const listener of loadBalancer.listeners) {
    const backendName = listenerNames(listener).backend
    let server = existing.get(backendName)
    // An address or port cannot change in place (2.6 allows it for some servers only): replace the server.
    if (server && server.row.get('addr') !== statAddress(backend.address, backend.port) && !draining) {
      if (!(await removeServer(socketPath, server.name, true))) continue // next call tries again
      server = undefined
    }
    if (server === undefined) {
      if (!draining) await addServer(socketPath, loadBalancer, backendName, backend)
      continue
    }
    // A draining server comes out of a reload in maintenance (the file cannot say "drain"); drain
    // keeps it out of load balancing too but checked, as it was before the reload.
    if (draining && !(server.row.get('status') ?? '').startsWith('DRAIN')) {
      await setServerState(socketPath, server.name, 'drain')
    }
    if (!draining && !isTakingNewRequests(server.row)) await setServerState(socketPath, server.name, 'ready')
    const weight = effectiveWeight(loadBalancer.algorithm, backend.weight)
    if (!draining && statNumber(server.row, 'uweight') !== weight)
      await setServerWeight(socketPath, server.name, weight)
  }
}
