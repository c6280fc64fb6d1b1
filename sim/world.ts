/**
 * A virtual world for engine tests and the simulator: the real engine and services over an
 * in-memory SQLite store, a simulated provider and a virtual clock. Nothing in it waits for real
 * time, so hours of scaling run in milliseconds, and a seed replays a run exactly.
 */

import { SimAllowlist } from '../src/allowlists/sim/sim-allowlist.ts'
import { SimBalancer } from '../src/balancers/sim/sim-balancer.ts'
import { VirtualClock } from '../src/clock/virtual.ts'
import type { ImageId, LaunchConfigurationId, ScalingGroupId } from '../src/core/ids.ts'
import { isLive } from '../src/core/types.ts'
import { Engine, TICK_INTERVAL_MS } from '../src/engine/engine.ts'
import { SimMetricSource } from '../src/metrics/sim/sim-metric-source.ts'
import type { Logger } from '../src/ports/logger.ts'
import { silentLogger } from '../src/ports/logger.ts'
import type { Provider } from '../src/ports/provider.ts'
import type { Store } from '../src/ports/store.ts'
import { SimProbe } from '../src/providers/sim/sim-probe.ts'
import { SimProvider } from '../src/providers/sim/sim-provider.ts'
import type { CreateGroupInput } from '../src/service/groups.ts'
import { createServices, type Services } from '../src/service/services.ts'
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts'
import { seededIds } from './seeded-ids.ts'

/** 2026-01-01T00:00:00Z: simulated time starts at a fixed instant so runs replay. */
export const WORLD_START_MS = Date.UTC(2026, 0, 1)

export interface World {
  readonly clock: VirtualClock
  readonly provider: SimProvider
  readonly balancer: SimBalancer
  readonly allowlist: SimAllowlist
  /** Per-instance usage the alarms see: set CPU per instance or for all. */
  readonly metrics: SimMetricSource
  readonly store: Store
  readonly services: Services
  engine: Engine
  /** Moves the clock one tick and runs the engine once. */
  step(): Promise<void>
  /** Moves the clock by `durationMs` at once, then runs the engine once: for long stretches where nothing is due. */
  stepBy(durationMs: number): Promise<void>
  /** Steps until `done` holds, or fails after `ticksMax` ticks. */
  runUntil(done: () => Promise<boolean>, options?: { ticksMax?: number }): Promise<void>
  /** A new engine over the same store and provider: a controller crash and restart. */
  restartEngine(): void
  /** A registered image and launch configuration, and a group using them. */
  createGroup(overrides?: Partial<CreateGroupInput>): Promise<ScalingGroupId>
  liveMembers(groupId: ScalingGroupId): Promise<readonly import('../src/core/types.ts').Instance[]>
  close(): Promise<void>
}

export interface WorldOptions {
  readonly seed: number
  readonly bootMs?: number
  readonly log?: Logger
  /**
   * What the engine sees instead of the world's store and provider (fault injection wraps them);
   * services and checkers keep the real ones.
   */
  readonly engineStore?: (store: Store) => Store
  readonly engineProvider?: (provider: Provider) => Provider
}

export async function createWorld(options: WorldOptions): Promise<World> {
  const clock = new VirtualClock(WORLD_START_MS)
  const provider = new SimProvider({ clock, bootMs: options.bootMs ?? 3_000 })
  const store = await openSqliteStore(':memory:')
  const ids = seededIds(options.seed)
  const log = options.log ?? silentLogger
  const balancer = new SimBalancer({ clock, isUp: (instanceId) => provider.probeResult(instanceId) === 'ready' })
  const allowlist = new SimAllowlist()
  const metrics = new SimMetricSource()
  const balancers = { builtin: balancer }
  const allowlists = { postgres: allowlist }
  const engineStore = options.engineStore?.(store) ?? store
  const engineProvider = options.engineProvider?.(provider) ?? provider
  const makeEngine = () =>
    new Engine({
      clock,
      store: engineStore,
      provider: engineProvider,
      probe: new SimProbe(provider),
      balancers,
      allowlists,
      ids,
      log,
      metrics,
    })
  const services = createServices(
    {
      store,
      clock,
      ids,
      provider,
      balancers,
      wakeEngine: () => {},
      settings: {
        region: 'sim-1',
        accountId: '1000000000000001',
        standaloneZoneId: 'standalone',
        standaloneSubnet: '10.255.0.0/16',
      },
    },
    { adminSecret: 'sim-admin-secret' },
  )
  let launchConfigurationId: LaunchConfigurationId | undefined
  const world: World = {
    clock,
    provider,
    balancer,
    allowlist,
    metrics,
    store,
    services,
    engine: makeEngine(),
    async step() {
      clock.advance(TICK_INTERVAL_MS)
      await world.engine.tick()
    },
    async stepBy(durationMs) {
      clock.advance(durationMs)
      await world.engine.tick()
    },
    async runUntil(done, { ticksMax = 600 } = {}) {
      for (let tick = 0; tick < ticksMax; tick += 1) {
        if (await done()) return
        await world.step()
      }
      if (!(await done())) throw new Error(`seed=${options.seed}: not settled after ${ticksMax} ticks`)
    },
    restartEngine() {
      world.engine = makeEngine()
    },
    async createGroup(overrides = {}) {
      if (!launchConfigurationId) {
        const image = await services.images.register({
          name: 'app',
          directory: '/srv/app',
          command: ['app'],
          healthPath: '/health',
        })
        const launchConfiguration = await services.launchConfigurations.create({
          name: 'app',
          imageId: image.id as ImageId,
        })
        launchConfigurationId = launchConfiguration.id
      }
      const group = await services.groups.create({
        name: `group-${(await store.groups.list()).length + 1}`,
        minSize: 0,
        maxSize: 10,
        zones: [
          { zoneId: 'zone-a', subnet: '10.1.1.0/24' },
          { zoneId: 'zone-b', subnet: '10.1.2.0/24' },
        ],
        launchConfigurationId,
        ...overrides,
      })
      return group.id
    },
    async liveMembers(groupId) {
      return (await store.instances.list({ groupId })).filter(isLive)
    },
    close: () => store.close(),
  }
  return world
}
