import type { InstanceTypeCatalog } from '../core/cloud-instance-types.ts'
import type { DatabaseEngine } from '../core/database.ts'
import type { BalancerDriver } from '../core/load-balancer.ts'
import type { Balancer } from '../ports/balancer.ts'
import type { Clock } from '../ports/clock.ts'
import type { DatabaseAllowlist } from '../ports/database-allowlist.ts'
import type { IdSource } from '../ports/id-source.ts'
import type { InstanceProbe } from '../ports/instance-probe.ts'
import type { Logger } from '../ports/logger.ts'
import type { MetricSource } from '../ports/metric-source.ts'
import type { PromqlSource } from '../ports/promql-source.ts'
import type { Provider } from '../ports/provider.ts'
import type { Store } from '../ports/store.ts'

/** The balancer of each driver this installation has; a missing driver fails what needs it. */
export type Balancers = Readonly<Partial<Record<BalancerDriver, Balancer>>>
/** The allowlist driver of each database engine this installation has. */
export type Allowlists = Readonly<Partial<Record<DatabaseEngine, DatabaseAllowlist>>>

/** Everything the engine touches the world through: ports only, never a concrete adapter. */
export interface EngineContext {
  readonly clock: Clock
  readonly store: Store
  readonly provider: Provider
  readonly probe: InstanceProbe
  readonly balancers: Balancers
  readonly allowlists: Allowlists
  readonly ids: IdSource
  readonly log: Logger
  /** What launch configurations' instance type names stand for; Billow's own and the clouds' when absent. */
  readonly instanceTypes?: InstanceTypeCatalog
  /** Per-instance usage (dynamic mode); absent: no instance metrics, alarms on them see no data. */
  readonly metrics?: MetricSource
  /** For PromQL alarm conditions; absent: such conditions have no data, with that reason. */
  readonly prometheus?: PromqlSource
  /** How long raw one-second points and one-minute roll-ups are kept; defaults 24 h and 15 days. */
  readonly metricRetention?: { readonly rawSeconds: number; readonly rollUpSeconds: number }
}
