import type { Clock } from '../ports/clock.ts'
import type { IdSource } from '../ports/id-source.ts'
import type { InstanceProbe } from '../ports/instance-probe.ts'
import type { Logger } from '../ports/logger.ts'
import type { Provider } from '../ports/provider.ts'
import type { Store } from '../ports/store.ts'

/** Everything the engine touches the world through: ports only, never a concrete adapter. */
export interface EngineContext {
  readonly clock: Clock
  readonly store: Store
  readonly provider: Provider
  readonly probe: InstanceProbe
  readonly ids: IdSource
  readonly log: Logger
}
