/**
 * The backends of one load balancer as the data plane runs them: a keep-alive connection pool,
 * a health checker, what is in flight, and the drain.
 *
 *   register ──▶ checking ──▶ healthy ⇄ unhealthy        (health-checker.ts)
 *                    │            │          │
 *                    └───deregister: draining (no new requests; in flight finish)──▶ removed
 *                                   │  at drainSeconds the rest is cut; register again cancels
 *
 * Only healthy, non-draining backends are eligible for new requests; the eligible list is kept
 * ready so the request path never filters.
 */
import type { Backend, BackendHealth, BalancingAlgorithm, HealthCheck } from '../../core/load-balancer.ts'
import { type BackendConnections, createBackendConnections } from './backend-connections.ts'
import { type HealthChecker, startHealthChecker } from './health-checker.ts'
import { type Scheduler, schedulerFor } from './scheduling/scheduler.ts'
import type { BackendRecord } from './state-directory.ts'

/** Something in flight to a backend that the drain deadline may cut: a request or a piped socket. */
export interface Cuttable {
  destroy(error?: Error): void
}

/** Error code of work cut at the drain deadline: it reached the backend, so it is never repeated elsewhere. */
export const DRAIN_DEADLINE = 'BILLOW_DRAIN_DEADLINE'

class DrainDeadline extends Error {
  readonly code = DRAIN_DEADLINE
}

export interface BackendRuntime {
  /** The instance id: stable across updates, used by schedulers that keep state per backend. */
  readonly key: string
  backend: Backend
  weight: number
  activeConnections: number
  requestsTotal: number
  drainStartedAtMs: number | null
  /** Keep-alive connections of the HTTP listeners (TCP listeners connect per client connection). */
  connections: BackendConnections
  readonly inFlight: Set<Cuttable>
  checker: HealthChecker
  drainTimer: NodeJS.Timeout | undefined
}

export interface BackendPoolOptions {
  readonly algorithm: BalancingAlgorithm
  readonly healthCheck: HealthCheck
  readonly drainSeconds: number
  /** Called after any change worth saving: health verdicts, registrations, drains, removals. */
  readonly onChange: () => void
}

export interface BackendPool {
  readonly backends: ReadonlyMap<string, BackendRuntime>
  /** A backend for a new request, other than those `excluded` (tried already); undefined when none is eligible. */
  pick(excluded?: readonly BackendRuntime[]): BackendRuntime | undefined
  acquire(runtime: BackendRuntime, work: Cuttable): void
  release(runtime: BackendRuntime, work: Cuttable): void
  upsert(backend: Backend, restored?: Omit<BackendRecord, 'backend'>): void
  startDrain(instanceId: string, nowMs: number): void
  remove(instanceId: string): void
  reconfigure(options: Omit<BackendPoolOptions, 'onChange'>): void
  records(): BackendRecord[]
  stop(): void
}

export function createBackendPool(initial: BackendPoolOptions): BackendPool {
  let options = initial
  let scheduler: Scheduler = schedulerFor(options.algorithm)
  const backends = new Map<string, BackendRuntime>()
  let eligible: BackendRuntime[] = []

  function refreshEligible(): void {
    eligible = [...backends.values()].filter((r) => r.checker.health === 'healthy' && r.drainStartedAtMs === null)
  }

  function changed(): void {
    refreshEligible()
    options.onChange()
  }

  function startChecker(runtime: BackendRuntime, initialHealth: BackendHealth): HealthChecker {
    return startHealthChecker({
      target: () => runtime.backend,
      check: options.healthCheck,
      initial: initialHealth,
      onChange: changed,
    })
  }

  function cutAll(runtime: BackendRuntime): void {
    for (const work of [...runtime.inFlight]) work.destroy(new DrainDeadline(`${runtime.key} was removed`))
  }

  function scheduleCut(runtime: BackendRuntime, nowMs: number): void {
    clearTimeout(runtime.drainTimer)
    if (runtime.drainStartedAtMs === null) return
    const remainingMs = runtime.drainStartedAtMs + options.drainSeconds * 1000 - nowMs
    runtime.drainTimer = setTimeout(() => cutAll(runtime), Math.max(0, remainingMs))
  }

  function retire(runtime: BackendRuntime): void {
    runtime.checker.stop()
    clearTimeout(runtime.drainTimer)
    runtime.connections.destroy()
  }

  return {
    backends,
    pick(excluded) {
      if (excluded === undefined || excluded.length === 0) return scheduler.pick(eligible)
      return scheduler.pick(eligible.filter((runtime) => !excluded.includes(runtime)))
    },
    acquire(runtime, work) {
      runtime.inFlight.add(work)
      runtime.activeConnections++
      runtime.requestsTotal++
    },
    release(runtime, work) {
      if (runtime.inFlight.delete(work)) runtime.activeConnections--
    },
    upsert(backend, restored) {
      const existing = backends.get(backend.instanceId)
      if (existing === undefined) {
        const runtime: BackendRuntime = {
          key: backend.instanceId,
          backend,
          weight: backend.weight,
          activeConnections: 0,
          requestsTotal: 0,
          drainStartedAtMs: restored?.drainStartedAtMs ?? null,
          connections: createBackendConnections(backend.address, backend.port),
          inFlight: new Set(),
          checker: { health: 'checking', stop: () => undefined },
          drainTimer: undefined,
        }
        runtime.checker = startChecker(runtime, restored?.health ?? 'checking')
        backends.set(backend.instanceId, runtime)
        scheduleCut(runtime, Date.now())
        changed()
        return
      }
      const moved = existing.backend.address !== backend.address || existing.backend.port !== backend.port
      existing.backend = backend
      existing.weight = backend.weight
      // Registering again is the engine changing its mind: the backend takes requests again.
      existing.drainStartedAtMs = null
      clearTimeout(existing.drainTimer)
      if (moved) {
        // Another address is another server: its pool and verdict start afresh; requests in flight finish.
        const old = existing.connections
        setTimeout(() => old.destroy(), options.drainSeconds * 1000).unref()
        existing.connections = createBackendConnections(backend.address, backend.port)
        existing.checker.stop()
        existing.checker = startChecker(existing, 'checking')
      }
      changed()
    },
    startDrain(instanceId, nowMs) {
      const runtime = backends.get(instanceId)
      if (runtime === undefined || runtime.drainStartedAtMs !== null) return
      runtime.drainStartedAtMs = nowMs
      scheduleCut(runtime, nowMs)
      changed()
    },
    remove(instanceId) {
      const runtime = backends.get(instanceId)
      if (runtime === undefined) return
      backends.delete(instanceId)
      cutAll(runtime)
      retire(runtime)
      changed()
    },
    reconfigure(next) {
      const checkChanged = JSON.stringify(next.healthCheck) !== JSON.stringify(options.healthCheck)
      if (next.algorithm !== options.algorithm) scheduler = schedulerFor(next.algorithm)
      options = { ...next, onChange: options.onChange }
      for (const runtime of backends.values()) {
        if (checkChanged) {
          // The verdict stands until the new check says otherwise: changing a check must not empty the pool.
          const health = runtime.checker.health
          runtime.checker.stop()
          runtime.checker = startChecker(runtime, health)
        }
        scheduleCut(runtime, Date.now())
      }
      refreshEligible()
    },
    records() {
      return [...backends.values()].map((runtime) => ({
        backend: runtime.backend,
        health: runtime.checker.health,
        drainStartedAtMs: runtime.drainStartedAtMs,
      }))
    },
    stop() {
      for (const runtime of backends.values()) retire(runtime)
    },
  }
}
