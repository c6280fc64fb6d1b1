/**
 * One directory per load balancer holds what its data-plane process needs to outlive the server
 * and to recover after restarting by itself:
 *
 *   <stateDirectory>/<loadBalancerId>/control.sock   HTTP over a unix socket: the control channel
 *   <stateDirectory>/<loadBalancerId>/proxy.pid      { supervisorPid, workerPid, startedAtMs } of the running proxy
 *   <stateDirectory>/<loadBalancerId>/state.json     the last applied configuration and backends
 *   <stateDirectory>/<loadBalancerId>/proxy.log      the proxy's output, appended
 *
 * state.json is written only by the proxy, after each change it applied, so what it holds is
 * always something the data plane accepted.
 */
import { renameSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { hasIdShape, type LoadBalancerId } from '../../core/ids.ts'
import type { Backend, BackendHealth, LoadBalancer } from '../../core/load-balancer.ts'

export const CONTROL_SOCKET_FILE = 'control.sock'
export const PID_FILE = 'proxy.pid'
export const STATE_FILE = 'state.json'
export const LOG_FILE = 'proxy.log'

/** Environment variable every proxy process carries: its state directory, to find it in /proc. */
export const STATE_DIRECTORY_VARIABLE = 'BILLOW_BALANCER_STATE_DIRECTORY'

/** sun_path holds 108 bytes including the terminating NUL on Linux; longer socket paths cannot be bound. */
export const UNIX_SOCKET_PATH_BYTES_MAX = 107

/** A backend as the proxy keeps it across its own restarts: the drain deadline survives a crash. */
export interface BackendRecord {
  readonly backend: Backend
  readonly health: BackendHealth
  /** Set when deregistration started; the backend then takes no new requests. */
  readonly drainStartedAtMs: number | null
}

export interface StateRecord {
  readonly loadBalancer: LoadBalancer
  readonly backends: readonly BackendRecord[]
}

/** Written by the worker once it serves the control socket; removed when it shuts down cleanly. */
export interface PidRecord {
  readonly supervisorPid: number
  readonly workerPid: number
  readonly startedAtMs: number
}

export interface ProxyPaths {
  readonly directory: string
  readonly controlSocket: string
  readonly pidFile: string
  readonly stateFile: string
  readonly logFile: string
}

export function proxyPaths(stateDirectory: string, loadBalancerId: LoadBalancerId): ProxyPaths {
  const directory = join(stateDirectory, loadBalancerId)
  return pathsOf(directory)
}

export function pathsOf(directory: string): ProxyPaths {
  return {
    directory,
    controlSocket: join(directory, CONTROL_SOCKET_FILE),
    pidFile: join(directory, PID_FILE),
    stateFile: join(directory, STATE_FILE),
    logFile: join(directory, LOG_FILE),
  }
}

/** Load balancer ids become directory names; the id shape excludes '/' and '..'. */
export const isUsableLoadBalancerId = (loadBalancerId: string): boolean => hasIdShape('loadBalancer', loadBalancerId)

/** Written synchronously and atomically (rename), so a crash leaves the old record or the new one. */
export function writeRecordSync(path: string, record: object): void {
  writeFileSync(`${path}.tmp`, `${JSON.stringify(record)}\n`, { mode: 0o600 })
  renameSync(`${path}.tmp`, path)
}

export async function readRecord<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}
