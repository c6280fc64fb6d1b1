/**
 * One directory per load balancer holds its haproxy's files and what Billow must remember across
 * its own restarts (the runtime API forgets nothing while haproxy runs, but a reload or a cold
 * start needs the servers back, and a drain's start time must outlive the driver):
 *
 *   <stateDirectory>/<loadBalancerId>/haproxy.cfg     the configuration (haproxy-config.ts)
 *   <stateDirectory>/<loadBalancerId>/haproxy.pid     pid of the haproxy that serves now
 *   <stateDirectory>/<loadBalancerId>/admin.sock      the runtime API (stats socket, level admin)
 *   <stateDirectory>/<loadBalancerId>/haproxy.log     haproxy's output (alerts, server state changes), appended
 *   <stateDirectory>/<loadBalancerId>/servers.state   `show servers state` just before a reload, for the new process
 *   <stateDirectory>/<loadBalancerId>/balancer.json   the applied load balancer and its backends, with drain start times
 *
 * balancer.json is written before the runtime API is told (record, then act), so a crash between
 * the two is repaired by the next call for the same backend.
 */
import { renameSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { hasIdShape, type LoadBalancerId } from '../../core/ids.ts'
import type { Backend, LoadBalancer } from '../../core/load-balancer.ts'
import { BalancerError } from '../../ports/balancer.ts'

/** sun_path holds 108 bytes including the terminating NUL on Linux; a longer socket path cannot be bound. */
const UNIX_SOCKET_PATH_BYTES_MAX = 107

export interface HaproxyPaths {
  readonly directory: string
  readonly config: string
  readonly pidFile: string
  readonly adminSocket: string
  readonly logFile: string
  readonly serverStateFile: string
  readonly recordFile: string
}

export interface BackendRecord {
  readonly backend: Backend
  /** Set by the first deregister(); the backend then takes no new requests. */
  readonly drainStartedAtMs: number | null
}

export interface BalancerRecord {
  readonly loadBalancer: LoadBalancer
  readonly backends: readonly BackendRecord[]
}

export function haproxyPaths(stateDirectory: string, loadBalancerId: LoadBalancerId): HaproxyPaths {
  // The id becomes a directory name; its shape excludes '/' and '..'.
  if (!hasIdShape('loadBalancer', loadBalancerId)) {
    throw new BalancerError(`load balancer id ${loadBalancerId} is malformed`, 'NotFound')
  }
  const directory = join(stateDirectory, loadBalancerId)
  const paths = {
    directory,
    config: join(directory, 'haproxy.cfg'),
    pidFile: join(directory, 'haproxy.pid'),
    adminSocket: join(directory, 'admin.sock'),
    logFile: join(directory, 'haproxy.log'),
    serverStateFile: join(directory, 'servers.state'),
    recordFile: join(directory, 'balancer.json'),
  }
  if (Buffer.byteLength(paths.adminSocket) > UNIX_SOCKET_PATH_BYTES_MAX) {
    throw new BalancerError(
      `haproxy's admin socket path ${paths.adminSocket} is longer than ${UNIX_SOCKET_PATH_BYTES_MAX} bytes; choose a shorter state directory`,
      'Unavailable',
    )
  }
  return paths
}

/** Written synchronously and atomically (rename), so a crash leaves the old content or the new one. */
export function writeFileAtomicSync(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content, { mode: 0o600 })
  renameSync(`${path}.tmp`, path)
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

export async function readBalancerRecord(paths: HaproxyPaths): Promise<BalancerRecord | null> {
  const text = await readOptional(paths.recordFile)
  return text === null ? null : (JSON.parse(text) as BalancerRecord)
}

export const writeBalancerRecordSync = (paths: HaproxyPaths, record: BalancerRecord): void =>
  writeFileAtomicSync(paths.recordFile, `${JSON.stringify(record, null, 2)}\n`)

export async function readPidFile(paths: HaproxyPaths): Promise<number | null> {
  const pid = Number.parseInt((await readOptional(paths.pidFile)) ?? '', 10)
  return Number.isInteger(pid) && pid > 1 ? pid : null
}

export const writePidFileSync = (paths: HaproxyPaths, pid: number): void =>
  writeFileAtomicSync(paths.pidFile, `${pid}\n`)

/** A copy of the record with `backends` replaced, in instance id order so the file diffs well. */
export const withBackends = (record: BalancerRecord, backends: readonly BackendRecord[]): BalancerRecord => ({
  ...record,
  backends: backends.toSorted((a, b) => a.backend.instanceId.localeCompare(b.backend.instanceId)),
})
