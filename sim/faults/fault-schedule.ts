/**
 * What happens to a seeded run at each step before the engine ticks, drawn from the seed's PRNG:
 * operator requests (execute a rule, set desired capacity, protect an instance) and faults
 * (instance crashes, slow boots, launch failures and timeouts, store write failures, health-check
 * flaps, clock jumps, a controller crash mid-tick, a clean restart). Each seed draws its own mix
 * of probabilities, so seeds differ in kind and not only in timing.
 */
import type { InstanceId, ScalingRuleId } from '../../src/core/ids.ts'
import type { LogFields } from '../../src/ports/logger.ts'
import type { Prng } from '../prng.ts'
import type { World } from '../world.ts'
import type { FaultProviderControl } from './fault-provider.ts'
import type { FaultStoreControl } from './fault-store.ts'
import type { Setup } from './run-seed.ts'

/** Per-step probabilities of each fault and request. */
interface FaultMix {
  readonly executeRule: number
  readonly setDesired: number
  readonly protect: number
  readonly crashInstance: number
  readonly slowBoot: number
  readonly launchFault: number
  readonly storeFailures: number
  readonly controllerCrash: number
  readonly restart: number
  readonly clockJump: number
  readonly healthFlap: number
}

/** Boot time of instances once the faults stop, in ms: well inside the engine's boot timeout. */
const CALM_BOOT_MS = 3_000
/** Share of writes that fail during a stretch of store failures. */
const STORE_WRITE_FAILURE_SHARE = 0.3

/**
 * Short runs (the ones `npm test` makes by the hundred) get denser faults, so each still meets
 * several: the probabilities scale up to 4× as the run gets shorter than 60 steps.
 */
function chooseMix(prng: Prng, faultSteps: number): FaultMix {
  const intensity = Math.min(4, Math.max(1, 60 / faultSteps))
  const p = (maximum: number) => prng.next() * maximum * intensity
  return {
    executeRule: p(0.15),
    setDesired: p(0.05),
    protect: p(0.04),
    crashInstance: p(0.06),
    slowBoot: p(0.04),
    launchFault: p(0.06),
    storeFailures: p(0.04),
    controllerCrash: p(0.04),
    restart: p(0.03),
    clockJump: p(0.03),
    healthFlap: p(0.04),
  }
}

export class FaultSchedule {
  /** When the schedule protected each instance (it never unprotects one). */
  readonly protectedAtMs = new Map<InstanceId, number>()
  readonly #world: World
  readonly #setup: Setup
  readonly #prng: Prng
  readonly #storeFaults: FaultStoreControl
  readonly #inject: (event: string, fields?: LogFields) => void
  readonly #mix: FaultMix
  #launchFaults = 0
  #storeFailureSteps = 0
  /** Instances whose probe fails, and for how many more steps. */
  readonly #flaps = new Map<InstanceId, number>()

  constructor(options: {
    world: World
    setup: Setup
    prng: Prng
    storeFaults: FaultStoreControl
    providerFaults: FaultProviderControl
    inject: (event: string, fields?: LogFields) => void
    faultSteps: number
  }) {
    this.#world = options.world
    this.#setup = options.setup
    this.#prng = options.prng
    this.#storeFaults = options.storeFaults
    this.#inject = options.inject
    this.#mix = chooseMix(options.prng, options.faultSteps)
    options.providerFaults.launchFault = () => {
      if (this.#launchFaults <= 0) return null
      this.#launchFaults -= 1
      const roll = this.#prng.next()
      const fault = roll < 0.4 ? 'fail-retryable' : roll < 0.7 ? 'fail-permanent' : 'timeout'
      this.#inject('launch-fault', { fault })
      return fault
    }
    options.storeFaults.failWrite = (write) => {
      if (this.#storeFailureSteps <= 0 || this.#prng.next() >= STORE_WRITE_FAILURE_SHARE) return false
      this.#inject('store-write-failure', { write })
      return true
    }
  }

  /** One step: requests and faults, the engine's tick, then a crash's restart and the flaps' end. */
  async step(): Promise<void> {
    const { world } = this
    await this.#requests()
    await this.#instanceFaults()
    const mix = this.#mix
    if (this.#chance(mix.launchFault)) this.#launchFaults += this.#prng.integer(1, 3)
    if (this.#chance(mix.storeFailures)) this.#storeFailureSteps = this.#prng.integer(1, 5)
    if (this.#chance(mix.clockJump)) {
      const jumpMs = this.#prng.integer(10, 600) * 1000
      this.#inject('clock-jump', { jumpMs })
      world.clock.advance(jumpMs)
    }
    const crashing = this.#chance(mix.controllerCrash)
    if (crashing) {
      this.#storeFaults.writesUntilDeath = this.#prng.integer(0, 12)
      this.#inject('controller-crash', { afterWrites: this.#storeFaults.writesUntilDeath })
    }
    await world.step().catch((error: unknown) => this.#inject('tick-failed', { error: String(error) }))
    if (crashing || this.#chance(mix.restart)) {
      this.#storeFaults.revive()
      world.restartEngine()
      this.#inject('controller-restart')
    }
    this.#storeFailureSteps = Math.max(0, this.#storeFailureSteps - 1)
    for (const [instanceId, left] of this.#flaps) {
      if (left > 1) this.#flaps.set(instanceId, left - 1)
      else {
        this.#flaps.delete(instanceId)
        world.provider.forceProbeResult(instanceId, null)
      }
    }
  }

  /** The faults end: launches, writes and probes behave, boots are quick again. */
  stop(): void {
    this.#launchFaults = 0
    this.#storeFailureSteps = 0
    for (const instanceId of this.#flaps.keys()) this.#world.provider.forceProbeResult(instanceId, null)
    this.#flaps.clear()
    this.#world.provider.setBootMs(CALM_BOOT_MS)
    this.#inject('faults-stop')
  }

  get world(): World {
    return this.#world
  }

  #chance(probability: number): boolean {
    return this.#prng.next() < probability
  }

  /** What an operator does: refusals by the services are expected and ignored. */
  async #requests(): Promise<void> {
    const { world } = this
    const setup = this.#setup
    const mix = this.#mix
    if (this.#chance(mix.executeRule)) {
      const ruleId = setup.ruleIds[this.#prng.integer(0, setup.ruleIds.length - 1)] as ScalingRuleId
      this.#inject('execute-rule', { ruleId })
      await world.services.rules.execute(ruleId, { ignoreCooldown: false }).catch(() => undefined)
    }
    if (this.#chance(mix.setDesired)) {
      const desired = this.#prng.integer(setup.minSize, setup.maxSize)
      this.#inject('set-desired', { desired })
      await world.services.capacity
        .setDesiredCapacity(setup.groupId, desired, { honorCooldown: false })
        .catch(() => undefined)
    }
    if (this.#chance(mix.protect)) {
      const instance = await this.#pickMember('InService')
      if (instance && !this.protectedAtMs.has(instance)) {
        this.#inject('protect', { instanceId: instance })
        const done = await world.services.groups.setProtection(setup.groupId, [instance], true).then(
          () => true,
          () => false,
        )
        if (done) this.protectedAtMs.set(instance, world.clock.nowMs())
      }
    }
  }

  async #instanceFaults(): Promise<void> {
    const { world } = this
    const mix = this.#mix
    if (this.#chance(mix.crashInstance)) {
      const instance = await this.#pickMember('InService')
      if (instance) {
        this.#inject('instance-crash', { instanceId: instance })
        world.provider.crash(instance, 'SIGKILL (simulated)')
      }
    }
    if (this.#chance(mix.slowBoot)) {
      const bootMs = this.#prng.integer(1, 90) * 1000
      this.#inject('boot-time', { bootMs })
      world.provider.setBootMs(bootMs)
    }
    if (this.#chance(mix.healthFlap)) {
      const instance = await this.#pickMember(this.#prng.next() < 0.5 ? 'Pending' : 'InService')
      if (instance) {
        this.#inject('health-flap', { instanceId: instance })
        world.provider.forceProbeResult(instance, 'not-ready')
        this.#flaps.set(instance, this.#prng.integer(1, 10))
      }
    }
  }

  async #pickMember(state: 'InService' | 'Pending'): Promise<InstanceId | undefined> {
    const members = (await this.#world.liveMembers(this.#setup.groupId)).filter((member) => member.state === state)
    return members.length === 0 ? undefined : members[this.#prng.integer(0, members.length - 1)]?.id
  }
}
