/**
 * Drives a load balancer's data plane. Implementations: balancers/builtin (the embedded default:
 * a proxy process of its own, fed over a local control channel, that keeps forwarding while the
 * Billow server is down) and balancers/haproxy (HAProxy's runtime API, dynamic servers, no
 * reloads). Every implementation passes the shared suite in test/balancer-conformance.ts.
 *
 * Balancers execute; they never decide which instances belong behind them (the engine does).
 */
import type { InstanceId, LoadBalancerId } from '../core/ids.ts'
import type { Backend, BackendHealth, LoadBalancer, LoadBalancerStats } from '../core/load-balancer.ts'

export type DeregisterProgress = 'draining' | 'gone'

export interface Balancer {
  readonly driver: LoadBalancer['driver']
  /**
   * Creates the balancer's data plane or brings it in line with `loadBalancer` (listeners,
   * algorithm, health check, drain time), keeping its backends. Idempotent. Resolves when every
   * listener accepts connections. Throws BalancerError('ListenerPortInUse' | 'Unavailable').
   */
  apply(loadBalancer: LoadBalancer): Promise<void>
  /** Stops the data plane and frees its listeners. Idempotent: a missing balancer resolves. */
  destroy(loadBalancerId: LoadBalancerId): Promise<void>
  /**
   * Adds the backend (or updates its weight/port). Idempotent. New connections may reach it once
   * its health check passes; health() says when. Throws BalancerError('NotFound' | 'Unavailable').
   */
  register(loadBalancerId: LoadBalancerId, backend: Backend): Promise<void>
  /**
   * Level-triggered removal: the first call stops new requests to the backend and starts its
   * drain; in-flight requests finish. Returns 'gone' once the backend has no active connection
   * or `drainSeconds` have passed since the drain started (then it is removed), 'draining' before.
   * Idempotent: an unknown backend is 'gone'.
   */
  deregister(loadBalancerId: LoadBalancerId, instanceId: InstanceId): Promise<DeregisterProgress>
  /** The backends as the data plane sees them. Throws BalancerError('NotFound' | 'Unavailable'). */
  backends(loadBalancerId: LoadBalancerId): Promise<ReadonlyMap<InstanceId, BackendHealth>>
  /** Traffic figures per listener and backend. Throws BalancerError('NotFound' | 'Unavailable'). */
  stats(loadBalancerId: LoadBalancerId): Promise<LoadBalancerStats>
}

export type BalancerErrorKind = 'ListenerPortInUse' | 'NotFound' | 'Unavailable'

export class BalancerError extends Error {
  override readonly name = 'BalancerError'
  readonly kind: BalancerErrorKind
  constructor(message: string, kind: BalancerErrorKind, options?: { cause?: unknown }) {
    super(message, options)
    this.kind = kind
  }
}
