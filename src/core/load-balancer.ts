/**
 * Load balancers: a resource of their own, attached to groups. A balancer forwards clients from
 * its listeners to one pool of backends (the InService instances of the groups attached to it
 * that pass its health check). Drivers: balancers/builtin (the embedded default, a data-plane
 * process of its own) and balancers/haproxy.
 */
import type { InstanceId, LoadBalancerId } from './ids.ts'

export const LISTENER_PROTOCOLS = ['HTTP', 'TCP'] as const
export type ListenerProtocol = (typeof LISTENER_PROTOCOLS)[number]

export interface Listener {
  readonly protocol: ListenerProtocol
  /** Address the listener binds; loopback unless configured otherwise. */
  readonly host: string
  readonly port: number
}

export const BALANCING_ALGORITHMS = ['RoundRobin', 'WeightedRoundRobin', 'LeastConnections'] as const
export type BalancingAlgorithm = (typeof BALANCING_ALGORITHMS)[number]

export type HealthCheck =
  | {
      readonly type: 'HTTP'
      readonly path: string
      /** Statuses that count as healthy, inclusive, e.g. 200–399. */
      readonly expectedStatusMin: number
      readonly expectedStatusMax: number
      readonly intervalSeconds: number
      readonly timeoutSeconds: number
      readonly healthyThreshold: number
      readonly unhealthyThreshold: number
    }
  | {
      readonly type: 'TCP'
      readonly intervalSeconds: number
      readonly timeoutSeconds: number
      readonly healthyThreshold: number
      readonly unhealthyThreshold: number
    }

export const BALANCER_DRIVERS = ['builtin', 'haproxy'] as const
export type BalancerDriver = (typeof BALANCER_DRIVERS)[number]

export interface LoadBalancer {
  readonly id: LoadBalancerId
  readonly name: string
  readonly driver: BalancerDriver
  readonly listeners: readonly Listener[]
  readonly algorithm: BalancingAlgorithm
  readonly healthCheck: HealthCheck
  /** Deregistration delay: how long in-flight requests of a removed backend may take to finish. */
  readonly drainSeconds: number
  readonly createdAtMs: number
}

/** One backend of a balancer: an instance's address, the port the balancer forwards to, a weight. */
export interface Backend {
  readonly instanceId: InstanceId
  readonly address: string
  readonly port: number
  /** 1–100; only WeightedRoundRobin reads it. */
  readonly weight: number
}

/** A group's attachment of a balancer: which port of the instances it forwards to, and the weight. */
export interface LoadBalancerAttachment {
  readonly loadBalancerId: LoadBalancerId
  /** Null: the instance's application port. */
  readonly port: number | null
  readonly weight: number
}

/** healthy / unhealthy by the balancer's thresholds; checking until the first verdict. */
export type BackendHealth = 'healthy' | 'unhealthy' | 'checking'

export interface ListenerStats {
  readonly protocol: ListenerProtocol
  readonly port: number
  readonly requestsPerSecond: number
  readonly activeConnections: number
  /** Null when no request finished in the window. */
  readonly latencyP50Ms: number | null
  readonly latencyP99Ms: number | null
  /** Share of requests answered 5xx (HTTP) or failed to connect to a backend (TCP), 0–100. */
  readonly errorRatePercent: number
}

export interface BackendStats {
  readonly instanceId: InstanceId
  readonly health: BackendHealth
  readonly activeConnections: number
  readonly requestsTotal: number
  /** True while the backend drains: no new requests, in-flight ones finishing. */
  readonly draining: boolean
}

export interface LoadBalancerStats {
  /** Over the last STATS_WINDOW_SECONDS of the data plane. */
  readonly listeners: readonly ListenerStats[]
  readonly backends: readonly BackendStats[]
}
