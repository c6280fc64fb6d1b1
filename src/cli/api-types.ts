/**
 * The shapes the REST API answers with, as the CLI reads them. The records are the core's own
 * (the API shows them as the store keeps them); views add what the API computes.
 */
import type { Database } from '../core/database.ts'
import type { InstanceTypeSpec } from '../core/instance-type.ts'
import type { LoadBalancer, LoadBalancerStats } from '../core/load-balancer.ts'
import type { ApiToken, ScalingGroup, ScalingRule } from '../core/types.ts'

export type {
  Activity,
  ActivityStatus,
  Image,
  Instance,
  LaunchConfiguration,
  ScalingGroup,
} from '../core/types.ts'

/** GET /v1/groups/ID: the group plus what the server counts for it. */
export interface GroupView extends ScalingGroup {
  readonly instanceCount: number
  readonly inServiceCount: number
  readonly queueLength: number
  readonly inCooldown: boolean
}

/** Rules carry their ARI so that ESS-style callers can execute them by it. */
export interface RuleView extends ScalingRule {
  readonly ari: string
}

/** Tokens as listed: never the secret, nor its hash. */
export type TokenView = Omit<ApiToken, 'secretSha256'>

export interface CreatedToken {
  readonly token: TokenView
  /** Shown once: the server keeps only its hash. */
  readonly secret: string
}

export type InstanceTypeView = InstanceTypeSpec

/** GET /v1/load-balancers/ID: the balancer, the groups that attach it, and its data plane's figures. */
export interface LoadBalancerView extends LoadBalancer {
  readonly groupIds: readonly string[]
  /** Null when the data plane does not answer. */
  readonly stats: LoadBalancerStats | null
}

/** GET /v1/databases/ID: never the administrator's password. */
export type DatabaseView = Omit<Database, 'adminPassword'> & { readonly groupIds: readonly string[] }
