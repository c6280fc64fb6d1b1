/**
 * Runs instances. Implementations: providers/process (local OS processes, the default),
 * providers/sim (virtual world for engine tests and the simulator). Every implementation passes
 * the shared suite in test/provider-conformance.ts.
 *
 * Providers execute; they never decide. Min, max, protection and removal choice live in core.
 */
import type { InstanceId } from '../core/ids.ts'
import type { InstanceTypeSpec } from '../core/instance-type.ts'
import type { Image } from '../core/types.ts'

export interface LaunchRequest {
  /** Idempotency: a second launch with the same token returns the instance the first made. */
  readonly clientToken: string
  readonly instanceId: InstanceId
  readonly image: Image
  readonly instanceType: InstanceTypeSpec
  readonly zoneId: string
  readonly privateIp: string
  readonly port: number
  readonly env: Readonly<Record<string, string>>
  readonly userData: string | null
}

/**
 * running: the instance exists and its process (or container) is alive.
 * exited: it existed and has stopped by itself (crash, exit); it still counts as "known" until
 *         terminate() clears it.
 */
export type ObservedState = 'running' | 'exited'

export interface ObservedInstance {
  readonly instanceId: InstanceId
  readonly state: ObservedState
  readonly privateIp: string
  readonly port: number
  /** Exit code or signal name when exited, for the activity's reason. */
  readonly exitDescription: string | null
  /** Whether CPU and memory limits of the instance type are enforced (cgroups), and if not why. */
  readonly limitsEnforced: boolean
  readonly limitsNote: string | null
}

export interface Provider {
  readonly name: string
  /**
   * Idempotent on request.clientToken (and instanceId): a retry after a crash returns the same
   * instance. Resolves once the instance exists, not when it is healthy. Throws ProviderError.
   */
  launch(request: LaunchRequest): Promise<ObservedInstance>
  /** Idempotent: terminating an instance that is already gone resolves. Resolves once it is gone. */
  terminate(instanceId: InstanceId): Promise<void>
  /** Everything this provider runs or ran and has not cleared; the engine diffs it with the store. */
  list(): Promise<readonly ObservedInstance[]>
  /** The last `maxBytes` of the instance's output (stdout and stderr), or '' when there is none. */
  logs(instanceId: InstanceId, maxBytes: number): Promise<string>
}

export class ProviderError extends Error {
  override readonly name = 'ProviderError'
  /** retryable: a later try may succeed (resource busy); permanent: it will not (bad image). */
  readonly kind: 'retryable' | 'permanent'
  constructor(message: string, kind: 'retryable' | 'permanent', options?: { cause?: unknown }) {
    super(message, options)
    this.kind = kind
  }
}
