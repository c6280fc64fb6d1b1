/**
 * The control channel between the driver (in the Billow server) and the proxy process: JSON over
 * HTTP on the unix socket in the load balancer's state directory. The socket file is reachable
 * only through the state directory (mode 0700), so the channel needs no credentials.
 *
 *   GET    /status                              ProxyStatus
 *   PUT    /load-balancer                       LoadBalancer → 204   (409 ListenerPortInUse)
 *   PUT    /backends/<instanceId>               Backend → 204        (404 NotFound: nothing applied yet)
 *   POST   /backends/<instanceId>/deregister    → { progress }
 *   GET    /backends                            BackendView[]
 *   GET    /stats                               LoadBalancerStats
 *   POST   /shutdown                            → 202, then the proxy closes its listeners and exits
 *
 * Errors answer with a status and a ControlErrorBody.
 */
import type { InstanceId, LoadBalancerId } from '../../core/ids.ts'
import type { BackendHealth } from '../../core/load-balancer.ts'
import type { BalancerErrorKind } from '../../ports/balancer.ts'

/** Bumped when a route or body changes, so a server never drives a proxy it does not understand. */
export const CONTROL_PROTOCOL_VERSION = 1

/** Largest control request or answer body, in bytes: a configuration with its backends is a few KiB. */
export const CONTROL_BODY_BYTES_MAX = 1024 * 1024

export interface ProxyStatus {
  readonly protocolVersion: number
  readonly workerPid: number
  /** Null until a configuration has been applied (or recovered from state.json). */
  readonly loadBalancerId: LoadBalancerId | null
  /** Listeners that are bound and accept connections, as host:port. */
  readonly listening: readonly string[]
}

export interface BackendView {
  readonly instanceId: InstanceId
  readonly health: BackendHealth
  readonly draining: boolean
}

export interface ControlErrorBody {
  readonly kind: BalancerErrorKind | 'BadRequest'
  readonly message: string
}

export const CONTROL_STATUS_BY_KIND = {
  ListenerPortInUse: 409,
  NotFound: 404,
  Unavailable: 503,
  BadRequest: 400,
} as const satisfies Record<ControlErrorBody['kind'], number>

export const controlRoutes = {
  status: '/status',
  loadBalancer: '/load-balancer',
  backends: '/backends',
  backend: (instanceId: string) => `/backends/${encodeURIComponent(instanceId)}`,
  deregister: (instanceId: string) => `/backends/${encodeURIComponent(instanceId)}/deregister`,
  stats: '/stats',
  shutdown: '/shutdown',
} as const

/** An expected failure inside the proxy, carried to the driver as a status and a kind. */
export class ControlError extends Error {
  override readonly name = 'ControlError'
  readonly kind: ControlErrorBody['kind']
  constructor(kind: ControlErrorBody['kind'], message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.kind = kind
  }
}
