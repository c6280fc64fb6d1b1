/**
 * The HAProxy driver: one haproxy process per load balancer, configured by a file Billow writes
 * and fed servers through the runtime API (dynamic servers, no reloads).
 *
 *   apply ──no haproxy──▶ start ─────────────────────────────▶ serving ◀─┐
 *     └──listeners, algorithm, check or drain time changed──▶ reload ───┘  (-x takes the sockets, -sf retires the old one)
 *
 *   register:   add server (weight 0, maint) → enable health → enable → forced down → weight:
 *               it takes requests once `rise` checks pass
 *   deregister: drain ──no session left, or drainSeconds since the drain began──▶ maint → del server → gone
 *
 * haproxy runs detached in its own session and outlives the Billow server; a new driver adopts
 * it through the pid file and the admin socket. What must survive a restart of either (the applied
 * load balancer, the backends, each drain's start time) is in balancer.json, written before acting.
 * Calls for one load balancer are serialised within a driver; one Billow server owns a state
 * directory at a time.
 */
import { mkdir, readFile, rm } from 'node:fs/promises'
import { isIP } from 'node:net'
import { resolve } from 'node:path'
import { assert } from '../../core/errors.ts'
import { hasIdShape, type InstanceId, type LoadBalancerId } from '../../core/ids.ts'
import type { LoadBalancer, LoadBalancerStats } from '../../core/load-balancer.ts'
import type { Balancer, DeregisterProgress } from '../../ports/balancer.ts'
import { BalancerError } from '../../ports/balancer.ts'
import {
  type BackendRecord,
  type BalancerRecord,
  type HaproxyPaths,
  haproxyPaths,
  readBalancerRecord,
  readPidFile,
  withBackends,
  writeBalancerRecordSync,
  writeFileAtomicSync,
  writePidFileSync,
} from './balancer-directory.ts'
import { findHaproxy } from './find-haproxy.ts'
import { renderConfig } from './haproxy-config.ts'
import { findHaproxyProcesses, isHaproxyOf, stopHaproxyProcesses } from './haproxy-processes.ts'
import { loadBalancerStats, serverRowsByInstance } from './haproxy-stats.ts'
import { checkNewListenersBindable, waitListenersReleased } from './listener-ports.ts'
import { reconcileServer, serverRowsOf } from './reconcile-servers.ts'
import { answeringPid, runtimeCommand } from './runtime-api.ts'
import { removeServer, setServerState } from './server-commands.ts'
import { isTakingNewRequests, leastHealthy, serverHealth, serverSessions, showStat } from './show-stat.ts'
import { startHaproxy } from './start-haproxy.ts'

/** `show servers state` with no server: its format version line alone. */
const EMPTY_SERVER_STATE = '1\n'

/** Server names Billow gives haproxy: instance ids, which are far shorter and plainer than this. */
const SERVER_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/

export interface HaproxyBalancerOptions {
  /** Holds one directory per load balancer; kept across Billow restarts. */
  readonly stateDirectory: string
  /** The haproxy binary; by default the first found on PATH or in /usr/sbin. */
  readonly haproxyPath?: string
}

export function createHaproxyBalancer(options: HaproxyBalancerOptions): Balancer {
  const stateDirectory = resolve(options.stateDirectory)
  const haproxyPath = options.haproxyPath ?? findHaproxy() ?? 'haproxy'
  const queues = new Map<string, Promise<unknown>>()

  /** Runs calls for one load balancer one after another, so two never start or reload the same haproxy. */
  function serialised<T>(loadBalancerId: LoadBalancerId, work: (paths: HaproxyPaths) => Promise<T>): Promise<T> {
    const previous = queues.get(loadBalancerId) ?? Promise.resolve()
    const next = previous.then(
      () => work(haproxyPaths(stateDirectory, loadBalancerId)),
      () => work(haproxyPaths(stateDirectory, loadBalancerId)),
    )
    queues.set(loadBalancerId, next)
    const forget = (): void => {
      if (queues.get(loadBalancerId) === next) queues.delete(loadBalancerId)
    }
    next.then(forget, forget)
    return next
  }

  /** The haproxy serving now: the pid file's if it is alive and ours, else whichever answers on the socket. */
  async function servingPid(paths: HaproxyPaths): Promise<number | null> {
    const recorded = await readPidFile(paths)
    if (recorded !== null && (await isHaproxyOf(recorded, paths.config))) return recorded
    // A crash between a reload's start and the pid file's update leaves the file naming the old process.
    const answering = await answeringPid(paths.adminSocket).catch(() => null)
    if (answering === null || !(await isHaproxyOf(answering, paths.config))) return null
    writePidFileSync(paths, answering)
    return answering
  }

  const configFor = (paths: HaproxyPaths, record: BalancerRecord): string =>
    renderConfig(
      record.loadBalancer,
      record.backends.map(({ backend, drainStartedAtMs }) => ({ ...backend, draining: drainStartedAtMs !== null })),
      { adminSocket: paths.adminSocket, serverStateFile: paths.serverStateFile },
    )

  /** Records the backends first and keeps the file in step, so a reload or cold start brings them back. */
  function saveRecord(paths: HaproxyPaths, record: BalancerRecord): void {
    writeBalancerRecordSync(paths, record)
    writeFileAtomicSync(paths.config, configFor(paths, record))
  }

  async function reconcileAll(paths: HaproxyPaths, record: BalancerRecord): Promise<void> {
    const rows = await showStat(paths.adminSocket)
    for (const entry of record.backends) await reconcileServer(paths.adminSocket, record.loadBalancer, rows, entry)
  }

  /** Starts haproxy from the recorded configuration when none serves (it crashed, or the machine restarted). */
  async function ensureServing(paths: HaproxyPaths, record: BalancerRecord): Promise<number> {
    const pid = await servingPid(paths)
    if (pid !== null) return pid
    writeFileAtomicSync(paths.config, configFor(paths, record))
    await writeServerState(paths, null)
    const started = await startHaproxy({ haproxyPath, paths, retiringPid: null })
    writePidFileSync(paths, started)
    await reconcileAll(paths, record)
    return started
  }

  async function requireRecord(paths: HaproxyPaths, loadBalancerId: LoadBalancerId): Promise<BalancerRecord> {
    const record = await readBalancerRecord(paths)
    if (record === null) throw new BalancerError(`load balancer ${loadBalancerId} is not applied here`, 'NotFound')
    return record
  }

  /**
   * The servers' state for the next process: before a reload, the serving process's (health and
   * weights carry over); before a cold start, none (an old dump would be stale), in the format's
   * empty form so haproxy does not warn.
   */
  async function writeServerState(paths: HaproxyPaths, servingNow: number | null): Promise<void> {
    const dump =
      servingNow === null ? EMPTY_SERVER_STATE : await runtimeCommand(paths.adminSocket, 'show servers state')
    writeFileAtomicSync(paths.serverStateFile, dump)
  }

  /** Starts, or reloads with the new file when it changed; on failure the old file is put back. */
  async function applyOnce(paths: HaproxyPaths, loadBalancer: LoadBalancer): Promise<void> {
    await mkdir(paths.directory, { recursive: true, mode: 0o700 })
    const previous = await readBalancerRecord(paths)
    const record: BalancerRecord = { loadBalancer, backends: previous?.backends ?? [] }
    const config = configFor(paths, record)
    const previousConfig = await readFile(paths.config, 'utf8').catch(() => null)
    const pid = await servingPid(paths)
    if (pid !== null && previousConfig === config) return writeBalancerRecordSync(paths, record)
    let started: number
    try {
      if (pid !== null && previous !== null) {
        await checkNewListenersBindable(previous.loadBalancer.listeners, loadBalancer.listeners)
      }
      writeFileAtomicSync(paths.config, config)
      await writeServerState(paths, pid)
      started = await startHaproxy({ haproxyPath, paths, retiringPid: pid })
    } catch (error) {
      if (previous === null) await rm(paths.directory, { recursive: true, force: true })
      else if (previousConfig !== null) writeFileAtomicSync(paths.config, previousConfig)
      throw error
    }
    writePidFileSync(paths, started)
    writeBalancerRecordSync(paths, record)
    await reconcileAll(paths, record)
  }

  async function registerOnce(paths: HaproxyPaths, loadBalancerId: LoadBalancerId, backend: BackendRecord['backend']) {
    // The id becomes a server name in runtime API command lines: nothing there may split or end one.
    assert(SERVER_NAME_PATTERN.test(backend.instanceId), `instance id ${backend.instanceId} is a usable server name`)
    assert(isIP(backend.address) !== 0, `backend address ${backend.address} is an IP address`)
    assert(
      Number.isInteger(backend.port) && backend.port > 0 && backend.port < 65_536,
      `port ${backend.port} is a port`,
    )
    const record = await requireRecord(paths, loadBalancerId)
    const others = record.backends.filter((entry) => entry.backend.instanceId !== backend.instanceId)
    const updated = withBackends(record, [...others, { backend, drainStartedAtMs: null }])
    saveRecord(paths, updated)
    await ensureServing(paths, updated)
    const rows = await showStat(paths.adminSocket)
    await reconcileServer(paths.adminSocket, updated.loadBalancer, rows, { backend, drainStartedAtMs: null })
  }

  async function deregisterOnce(paths: HaproxyPaths, instanceId: InstanceId): Promise<DeregisterProgress> {
    const record = await readBalancerRecord(paths)
    if (record === null) return 'gone'
    const servingNow = await ensureServing(paths, record)
    const nowMs = Date.now()
    const servers = serverRowsOf(await showStat(paths.adminSocket), record.loadBalancer, instanceId)
    const found = record.backends.find((entry) => entry.backend.instanceId === instanceId)
    const others = record.backends.filter((entry) => entry !== found)
    if (found === undefined && servers.length === 0) return 'gone'
    let drainStartedAtMs = found?.drainStartedAtMs ?? null
    if (found !== undefined && drainStartedAtMs === null) {
      drainStartedAtMs = nowMs
      saveRecord(paths, withBackends(record, [...others, { ...found, drainStartedAtMs }]))
    }
    for (const server of servers) {
      if (isTakingNewRequests(server.row)) await setServerState(paths.adminSocket, server.name, 'drain')
    }
    // Not in the record: an earlier call finished the drain and crashed before `del server`.
    const drainOver = drainStartedAtMs === null || nowMs >= drainStartedAtMs + record.loadBalancer.drainSeconds * 1000
    const sessions = servers.reduce((sum, server) => sum + serverSessions(server.row), 0)
    // A process retiring after a reload may still be finishing requests to this backend.
    const retiring = (await findHaproxyProcesses(paths.config)).some((pid) => pid !== servingNow)
    if (!drainOver && (sessions > 0 || retiring)) return 'draining'
    for (const server of servers) {
      if (!(await removeServer(paths.adminSocket, server.name, drainOver))) return 'draining'
    }
    saveRecord(paths, withBackends(record, others))
    return 'gone'
  }

  async function backendsOnce(paths: HaproxyPaths, loadBalancerId: LoadBalancerId) {
    const record = await requireRecord(paths, loadBalancerId)
    await ensureServing(paths, record)
    const servers = serverRowsByInstance(await showStat(paths.adminSocket), record.loadBalancer)
    return new Map([...servers].map(([instanceId, rows]) => [instanceId, leastHealthy(rows.map(serverHealth))]))
  }

  async function statsOnce(paths: HaproxyPaths, loadBalancerId: LoadBalancerId): Promise<LoadBalancerStats> {
    const record = await requireRecord(paths, loadBalancerId)
    await ensureServing(paths, record)
    return loadBalancerStats(paths.adminSocket, record, Date.now())
  }

  return {
    driver: 'haproxy',
    apply: (loadBalancer) => serialised(loadBalancer.id, (paths) => applyOnce(paths, loadBalancer)),
    destroy: (loadBalancerId) => {
      if (!hasIdShape('loadBalancer', loadBalancerId)) return Promise.resolve() // no directory can have that name
      return serialised(loadBalancerId, async (paths) => {
        const record = await readBalancerRecord(paths)
        await stopHaproxyProcesses(await findHaproxyProcesses(paths.config), paths.config)
        await waitListenersReleased(record?.loadBalancer.listeners ?? [])
        await rm(paths.directory, { recursive: true, force: true })
      })
    },
    register: (loadBalancerId, backend) =>
      serialised(loadBalancerId, (paths) => registerOnce(paths, loadBalancerId, backend)),
    deregister: (loadBalancerId, instanceId) => {
      if (!hasIdShape('loadBalancer', loadBalancerId)) return Promise.resolve('gone' as const) // never applied
      return serialised(loadBalancerId, (paths) => deregisterOnce(paths, instanceId))
    },
    backends: (loadBalancerId) => serialised(loadBalancerId, (paths) => backendsOnce(paths, loadBalancerId)),
    stats: (loadBalancerId) => serialised(loadBalancerId, (paths) => statsOnce(paths, loadBalancerId)),
  } satisfies Balancer
}
