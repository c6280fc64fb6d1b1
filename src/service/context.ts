import type { InstanceTypeCatalog } from '../core/cloud-instance-types.ts'
import type { Balancers } from '../engine/engine-context.ts'
import type { Clock } from '../ports/clock.ts'
import type { IdSource } from '../ports/id-source.ts'
import type { Provider } from '../ports/provider.ts'
import type { Store } from '../ports/store.ts'

/** What services need: the store to read and write, and a way to nudge the engine. */
export interface ServiceContext {
  readonly store: Store
  readonly clock: Clock
  readonly ids: IdSource
  /** For instance logs only; services never launch or terminate themselves, the engine does. */
  readonly provider: Provider
  /** Balancers are applied as their records are written, so a port in use is the request's error. */
  readonly balancers: Balancers
  /** Asks the engine for a tick now, after a write it should act on. */
  readonly wakeEngine: () => void
  readonly settings: ServiceSettings
}

export interface ServiceSettings {
  /** Region and account of this installation, for ARIs and the cloud dialects. */
  readonly region: string
  readonly accountId: string
  /** Where standalone instances (`billow instances run`) take their addresses from. */
  readonly standaloneZoneId: string
  readonly standaloneSubnet: string
  /** Instance types launch configurations may name; Billow's own and the clouds' when absent. */
  readonly instanceTypes?: InstanceTypeCatalog
}
