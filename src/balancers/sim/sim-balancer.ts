/**
 * A balancer for the virtual world: backends pass their health check once their instance is up
 * (as the simulated provider says) for healthyThreshold intervals, and fail it after
 * unhealthyThreshold intervals down. Connections are counted by the test or simulator through
 * `setActiveConnections`, so drains take as long as they would. No I/O, no real time.
 */
import type { InstanceId, LoadBalancerId } from '../../core/ids.ts'
import type { Backend, BackendHealth, LoadBalancer, LoadBalancerStats } from '../../core/load-balancer.ts'
import type { Balancer, DeregisterProgress } from '../../ports/balancer.ts'
import { BalancerError } from '../../ports/balancer.ts'
import type { Clock } from '../../ports/clock.ts'

interface SimBackend {
  readonly backend: Backend
  readonly registeredAtMs: number
  drainStartedAtMs: number | null
  activeConnections: number
}

interface SimLoadBalancer {
  config: LoadBalancer
  readonly backends: Map<InstanceId, SimBackend>
}

export class SimBalancer implements Balancer {
  readonly driver = 'builtin' as const
  readonly #clock: Clock
  readonly #isUp: (instanceId: InstanceId) => boolean
  readonly #balancers = new Map<LoadBalancerId, SimLoadBalancer>()
  readonly #portsInUse = new Set<string>()

  /** `isUp` says whether an instance would answer its health check now. */
  constructor(options: { clock: Clock; isUp: (instanceId: InstanceId) => boolean }) {
    this.#clock = options.clock
    this.#isUp = options.isUp
  }

  /** Test hook: another program holds this address, so apply() on it fails. */
  occupy(host: string, port: number): void {
    this.#portsInUse.add(`${host}:${port}`)
  }

  setActiveConnections(loadBalancerId: LoadBalancerId, instanceId: InstanceId, count: number): void {
    const backend = this.#balancer(loadBalancerId).backends.get(instanceId)
    if (backend) backend.activeConnections = count
  }

  async apply(loadBalancer: LoadBalancer): Promise<void> {
    for (const listener of loadBalancer.listeners) {
      if (this.#portsInUse.has(`${listener.host}:${listener.port}`)) {
        throw new BalancerError(`${listener.host}:${listener.port} is in use`, 'ListenerPortInUse')
      }
    }
    const existing = this.#balancers.get(loadBalancer.id)
    if (existing) existing.config = loadBalancer
    else this.#balancers.set(loadBalancer.id, { config: loadBalancer, backends: new Map() })
  }

  async destroy(loadBalancerId: LoadBalancerId): Promise<void> {
    this.#balancers.delete(loadBalancerId)
  }

  async register(loadBalancerId: LoadBalancerId, backend: Backend): Promise<void> {
    const balancer = this.#balancer(loadBalancerId)
    const existing = balancer.backends.get(backend.instanceId)
    balancer.backends.set(backend.instanceId, {
      backend,
      registeredAtMs: existing?.registeredAtMs ?? this.#clock.nowMs(),
      drainStartedAtMs: null,
      activeConnections: existing?.activeConnections ?? 0,
    })
  }

  async deregister(loadBalancerId: LoadBalancerId, instanceId: InstanceId): Promise<DeregisterProgress> {
    const balancer = this.#balancers.get(loadBalancerId)
    const backend = balancer?.backends.get(instanceId)
    if (!balancer || !backend) return 'gone'
    const nowMs = this.#clock.nowMs()
    backend.drainStartedAtMs ??= nowMs
    const drained =
      backend.activeConnections === 0 || nowMs - backend.drainStartedAtMs >= balancer.config.drainSeconds * 1000
    if (!drained) return 'draining'
    balancer.backends.delete(instanceId)
    return 'gone'
  }

  async backends(loadBalancerId: LoadBalancerId): Promise<ReadonlyMap<InstanceId, BackendHealth>> {
    const balancer = this.#balancer(loadBalancerId)
    return new Map([...balancer.backends].map(([id, backend]) => [id, this.#health(balancer.config, backend)]))
  }

  async stats(loadBalancerId: LoadBalancerId): Promise<LoadBalancerStats> {
    const balancer = this.#balancer(loadBalancerId)
    return {
      listeners: balancer.config.listeners.map((listener) => ({
        protocol: listener.protocol,
        port: listener.port,
        requestsPerSecond: 0,
        activeConnections: 0,
        latencyP50Ms: null,
        latencyP99Ms: null,
        errorRatePercent: 0,
      })),
      backends: [...balancer.backends.values()].map((backend) => ({
        instanceId: backend.backend.instanceId,
        health: this.#health(balancer.config, backend),
        activeConnections: backend.activeConnections,
        requestsTotal: 0,
        draining: backend.drainStartedAtMs !== null,
      })),
    }
  }

  #health(config: LoadBalancer, backend: SimBackend): BackendHealth {
    if (!this.#isUp(backend.backend.instanceId)) return 'unhealthy'
    const checkedMs = this.#clock.nowMs() - backend.registeredAtMs
    return checkedMs >= config.healthCheck.healthyThreshold * config.healthCheck.intervalSeconds * 1000
      ? 'healthy'
      : 'checking'
  }

  #balancer(loadBalancerId: LoadBalancerId): SimLoadBalancer {
    const balancer = this.#balancers.get(loadBalancerId)
    if (!balancer) throw new BalancerError(`load balancer ${loadBalancerId} is not applied`, 'NotFound')
    return balancer
  }
}
