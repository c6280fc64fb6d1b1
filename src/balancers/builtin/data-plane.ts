/**
 * The proxy's whole state: the applied load balancer, its listeners and its backends. Every
 * change it accepts is saved to state.json before it answers, so a proxy that restarts (after a
 * crash, through its supervisor) picks up where it stopped, with no server involved.
 *
 *   empty ──apply──▶ configured ──apply (listeners diffed; a failed bind changes nothing)──▶ configured
 *     │                  │ register / deregister / health verdicts: saved as they happen
 *     └──recover (state.json)──▶ configured, listeners rebound (retried while their ports are taken)
 *                        └──shutdown──▶ listeners closed, process exits
 */
import { rename } from 'node:fs/promises'
import type { InstanceId } from '../../core/ids.ts'
import {
  BALANCING_ALGORITHMS,
  type Backend,
  LISTENER_PROTOCOLS,
  type Listener,
  type LoadBalancer,
  type LoadBalancerStats,
} from '../../core/load-balancer.ts'
import type { DeregisterProgress } from '../../ports/balancer.ts'
import { type BackendPool, createBackendPool } from './backend-pool.ts'
import { type BackendView, CONTROL_PROTOCOL_VERSION, ControlError, type ProxyStatus } from './control-protocol.ts'
import { createHttpListener } from './http-listener.ts'
import { type ListenerRuntime, listenerKey } from './listener-runtime.ts'
import { type ProxyPaths, readRecord, type StateRecord, writeRecordSync } from './state-directory.ts'
import { createTcpListener } from './tcp-listener.ts'

/** How often listeners that could not be bound at recovery are tried again, in milliseconds. */
const LISTENER_RETRY_MS = 1_000
/** Time connections of a listener removed by apply get to finish, in milliseconds. */
const REMOVED_LISTENER_GRACE_MS = 30_000
/** Listeners one load balancer may have: each is a socket and a server in this process. */
const LISTENERS_MAX = 64
/** Backends one load balancer may have: each runs a health checker and a connection pool. */
const BACKENDS_MAX = 1_000

export interface DataPlane {
  status(): ProxyStatus
  apply(loadBalancer: LoadBalancer): Promise<void>
  register(backend: Backend): void
  deregister(instanceId: string, nowMs: number): DeregisterProgress
  backends(): BackendView[]
  stats(nowMs: number): LoadBalancerStats
  /** Reads state.json, if any, and resumes it. */
  recover(): Promise<void>
  shutdown(graceMs: number): Promise<void>
}

function checkLoadBalancer(loadBalancer: LoadBalancer): void {
  const bad = (message: string): never => {
    throw new ControlError('BadRequest', message)
  }
  if (!(BALANCING_ALGORITHMS as readonly string[]).includes(loadBalancer.algorithm)) {
    bad(`unknown algorithm ${String(loadBalancer.algorithm)}`)
  }
  if (loadBalancer.listeners.length > LISTENERS_MAX) bad(`more than ${LISTENERS_MAX} listeners`)
  const keys = new Set<string>()
  for (const listener of loadBalancer.listeners) {
    if (!(LISTENER_PROTOCOLS as readonly string[]).includes(listener.protocol)) {
      bad(`unknown protocol ${String(listener.protocol)}`)
    }
    if (!Number.isInteger(listener.port) || listener.port < 1 || listener.port > 65_535)
      bad(`bad port ${listener.port}`)
    const key = listenerKey(listener)
    if (keys.has(key)) bad(`two listeners on ${key}`)
    keys.add(key)
  }
  if (!(loadBalancer.drainSeconds >= 0)) bad('drainSeconds must be 0 or more')
}

export function createDataPlane(paths: ProxyPaths, log: (line: string) => void): DataPlane {
  let loadBalancer: LoadBalancer | null = null
  let pool: BackendPool | null = null
  const listeners = new Map<string, ListenerRuntime>()
  let retryTimer: NodeJS.Timeout | undefined
  /** While state.json is being read back, saving would write a half-restored copy over it. */
  let recovering = false

  /** Best effort: a full disk must not stop the traffic, only the recovery of the latest changes. */
  function save(): void {
    if (loadBalancer === null || pool === null || recovering) return
    const record: StateRecord = { loadBalancer, backends: pool.records() }
    try {
      writeRecordSync(paths.stateFile, record)
    } catch (error) {
      log(`could not save ${paths.stateFile}: ${(error as Error).message}`)
    }
  }

  /**
   * state.json as saved, or null. An unreadable one is moved aside rather than crashing every
   * restart: the proxy starts empty, and the engine applies and registers again (it is level-triggered).
   */
  async function readState(): Promise<StateRecord | null> {
    try {
      return await readRecord<StateRecord>(paths.stateFile)
    } catch (error) {
      const aside = `${paths.stateFile}.unreadable-${Date.now()}`
      log(`${paths.stateFile} is unreadable (${(error as Error).message}); moved to ${aside}`)
      await rename(paths.stateFile, aside).catch(() => undefined)
      return null
    }
  }

  function runtimeFor(listener: Listener, backendPool: BackendPool): ListenerRuntime {
    return listener.protocol === 'HTTP'
      ? createHttpListener(listener, backendPool)
      : createTcpListener(listener, backendPool)
  }

  function configure(next: LoadBalancer): BackendPool {
    const settings = { algorithm: next.algorithm, healthCheck: next.healthCheck, drainSeconds: next.drainSeconds }
    if (pool === null) pool = createBackendPool({ ...settings, onChange: save })
    else pool.reconfigure(settings)
    loadBalancer = next
    return pool
  }

  /** Binds the listeners of `next` not bound yet; all or nothing: a failure closes the ones it bound. */
  async function bindNew(next: LoadBalancer, backendPool: BackendPool): Promise<void> {
    const started: ListenerRuntime[] = []
    try {
      for (const listener of next.listeners) {
        const current = listeners.get(listenerKey(listener))
        if (current !== undefined && current.listener.protocol === listener.protocol) continue
        if (current !== undefined) continue // a protocol change: swapped once every new port is bound
        const runtime = runtimeFor(listener, backendPool)
        await runtime.start()
        started.push(runtime)
      }
    } catch (error) {
      await Promise.all(started.map((runtime) => runtime.close(0)))
      throw error
    }
    for (const runtime of started) listeners.set(listenerKey(runtime.listener), runtime)
  }

  async function swapProtocols(next: LoadBalancer, backendPool: BackendPool): Promise<void> {
    for (const listener of next.listeners) {
      const key = listenerKey(listener)
      const current = listeners.get(key)
      if (current === undefined || current.listener.protocol === listener.protocol) continue
      // Closing frees the port at once; its open connections finish in the background.
      void current.close(REMOVED_LISTENER_GRACE_MS)
      listeners.delete(key)
      const runtime = runtimeFor(listener, backendPool)
      await runtime.start()
      listeners.set(key, runtime)
    }
  }

  function closeRemoved(next: LoadBalancer): void {
    const wanted = new Set(next.listeners.map(listenerKey))
    for (const [key, runtime] of listeners) {
      if (wanted.has(key)) continue
      listeners.delete(key)
      void runtime.close(REMOVED_LISTENER_GRACE_MS)
    }
  }

  /** Keeps trying the listeners of the applied configuration that are not bound (recovery only). */
  function retryMissingListeners(): void {
    clearTimeout(retryTimer)
    retryTimer = setTimeout(async () => {
      if (loadBalancer === null || pool === null) return
      try {
        await bindNew(loadBalancer, pool)
        log('every listener is bound again')
      } catch (error) {
        log(`listeners still not bound: ${(error as Error).message}`)
        retryMissingListeners()
      }
    }, LISTENER_RETRY_MS)
  }

  function requirePool(): BackendPool {
    if (pool === null) throw new ControlError('NotFound', 'no configuration has been applied')
    return pool
  }

  return {
    status() {
      return {
        protocolVersion: CONTROL_PROTOCOL_VERSION,
        workerPid: process.pid,
        loadBalancerId: loadBalancer?.id ?? null,
        listening: [...listeners.keys()],
      }
    },
    async apply(next) {
      checkLoadBalancer(next)
      if (loadBalancer !== null && loadBalancer.id !== next.id) {
        throw new ControlError('BadRequest', `this proxy runs ${loadBalancer.id}, not ${next.id}`)
      }
      clearTimeout(retryTimer)
      const previous = loadBalancer
      const backendPool = configure(next)
      try {
        await bindNew(next, backendPool)
      } catch (error) {
        if (previous !== null) configure(previous)
        else loadBalancer = null
        throw error
      }
      await swapProtocols(next, backendPool)
      closeRemoved(next)
      save()
      log(`applied ${next.id}: ${next.listeners.map((l) => `${l.protocol} ${listenerKey(l)}`).join(', ')}`)
    },
    register(backend) {
      const backendPool = requirePool()
      if (!backendPool.backends.has(backend.instanceId) && backendPool.backends.size >= BACKENDS_MAX) {
        throw new ControlError('Unavailable', `a load balancer takes at most ${BACKENDS_MAX} backends`)
      }
      backendPool.upsert(backend)
      log(`registered ${backend.instanceId} at ${backend.address}:${backend.port} weight ${backend.weight}`)
    },
    deregister(instanceId, nowMs) {
      const runtime = pool?.backends.get(instanceId)
      if (pool === null || loadBalancer === null || runtime === undefined) return 'gone'
      if (runtime.drainStartedAtMs === null) log(`draining ${instanceId}`)
      pool.startDrain(instanceId, nowMs)
      const deadlineMs = (runtime.drainStartedAtMs ?? nowMs) + loadBalancer.drainSeconds * 1000
      if (runtime.activeConnections > 0 && nowMs < deadlineMs) return 'draining'
      pool.remove(instanceId)
      log(`removed ${instanceId}`)
      return 'gone'
    },
    backends() {
      return [...requirePool().backends.values()].map((runtime) => ({
        instanceId: runtime.key as InstanceId,
        health: runtime.checker.health,
        draining: runtime.drainStartedAtMs !== null,
      }))
    },
    stats(nowMs) {
      const backendPool = requirePool()
      const bound = (loadBalancer?.listeners ?? []).flatMap((listener) => listeners.get(listenerKey(listener)) ?? [])
      return {
        listeners: bound.map((runtime) => runtime.stats(nowMs)),
        backends: [...backendPool.backends.values()].map((runtime) => ({
          instanceId: runtime.key as InstanceId,
          health: runtime.checker.health,
          activeConnections: runtime.activeConnections,
          requestsTotal: runtime.requestsTotal,
          draining: runtime.drainStartedAtMs !== null,
        })),
      }
    },
    async recover() {
      const record = await readState()
      if (record === null) return
      recovering = true
      const backendPool = configure(record.loadBalancer)
      for (const { backend, ...restored } of record.backends) backendPool.upsert(backend, restored)
      recovering = false
      try {
        await bindNew(record.loadBalancer, backendPool)
        log(`recovered ${record.loadBalancer.id} with ${record.backends.length} backends`)
      } catch (error) {
        log(`recovered ${record.loadBalancer.id}, but: ${(error as Error).message}; retrying`)
        retryMissingListeners()
      }
    },
    async shutdown(graceMs) {
      clearTimeout(retryTimer)
      const closing = [...listeners.values()].map((runtime) => runtime.close(graceMs))
      listeners.clear()
      await Promise.all(closing)
      pool?.stop()
    },
  }
}
