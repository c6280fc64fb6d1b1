/**
 * The engine: a level-triggered loop. Every tick reads the world (store + provider), compares it
 * with what should be, and moves each group one step closer; it never branches on what woke it.
 *
 * Per group and tick, in this order:
 *   1. members whose process died are marked Unhealthy (health mode);
 *   2. the InProgress activity, if any, advances;
 *   3. with none in progress, the next one starts: elastic recovery of unhealthy members first
 *      (not blocked by cooldown), then the oldest queued request, then fixed-number mode.
 */
import type { InstanceId, ScalingGroupId } from '../core/ids.ts'
import { isLive, type ScalingGroup } from '../core/types.ts'
import type { ObservedInstance } from '../ports/provider.ts'
import { advanceActivity, startActivity } from './activity-runner.ts'
import type { EngineContext } from './engine-context.ts'
import { bootStep, patchInstance, removeStep } from './instance-steps.ts'

/** Time between ticks; a dead instance is noticed within two of them. */
export const TICK_INTERVAL_MS = 1_000
/** Activities one group may start in one tick (rejected ones included), so a long queue cannot stall the others. */
export const ACTIVITIES_STARTED_PER_TICK_MAX = 8

export class Engine {
  readonly #context: EngineContext
  #wake = new AbortController()
  #running: Promise<void> | undefined
  #stopping = false

  constructor(context: EngineContext) {
    this.#context = context
  }

  /** Runs ticks until stop(); a tick's failure is logged and the next tick tries again. */
  start(): void {
    if (this.#running) return
    this.#stopping = false
    this.#running = (async () => {
      while (!this.#stopping) {
        try {
          await this.tick()
        } catch (error) {
          this.#context.log.error('engine.tick-failed', { error: error instanceof Error ? error.stack : String(error) })
        }
        if (this.#stopping) break
        await this.#context.clock.sleep(TICK_INTERVAL_MS, this.#wake.signal)
        this.#wake = new AbortController()
      }
    })()
  }

  /** Ends the loop after the current tick; in-flight steps finish, nothing is cut halfway. */
  async stop(): Promise<void> {
    this.#stopping = true
    this.#wake.abort()
    await this.#running
    this.#running = undefined
  }

  /** Asks for a tick now instead of at the next interval (a request was queued). */
  wake(): void {
    this.#wake.abort()
  }

  async tick(): Promise<void> {
    const observed = new Map((await this.#context.provider.list()).map((instance) => [instance.instanceId, instance]))
    for (const group of await this.#context.store.groups.list()) {
      try {
        await this.#reconcileGroup(group, observed)
      } catch (error) {
        this.#context.log.error('engine.group-failed', {
          groupId: group.id,
          error: error instanceof Error ? error.stack : String(error),
        })
      }
    }
    await this.#reconcileStandalone(observed)
    await this.#terminateOrphans(observed)
  }

  async #reconcileGroup(group: ScalingGroup, observed: ReadonlyMap<string, ObservedInstance>): Promise<void> {
    const { store } = this.#context
    await this.#markDead(group.id, observed)
    let [active] = await store.activities.list({ groupId: group.id, statuses: ['InProgress'] })
    for (let started = 0; started <= ACTIVITIES_STARTED_PER_TICK_MAX; started += 1) {
      if (active) {
        active = await advanceActivity(this.#context, active, observed)
        if (active.status === 'InProgress') return
      }
      active = await this.#startNext(group.id)
      if (!active) return
    }
  }

  async #startNext(groupId: ScalingGroupId) {
    const { store, clock } = this.#context
    const group = await store.groups.get(groupId)
    if (!group) return undefined
    const members = (await store.instances.list({ groupId })).filter(isLive)
    if (group.state === 'Deleting' && members.length === 0) {
      await this.#deleteGroup(group)
      return undefined
    }
    const unhealthy = members.filter((member) => member.health === 'Unhealthy' && member.state !== 'Pending')
    if (unhealthy.length > 0 && group.state !== 'Inactive') {
      return startActivity(this.#context, groupId, {
        request: { kind: 'ElasticRecovery', instanceIds: unhealthy.map((instance) => instance.id) },
        cause: `health check: ${unhealthy.map((instance) => `${instance.id} ${instance.statusReason ?? 'unhealthy'}`).join('; ')}`,
      })
    }
    const [queued] = await store.activities.list({ groupId, statuses: ['Queued'], limit: 1 })
    if (queued) return startActivity(this.#context, groupId, { activityId: queued.id })
    if (group.state === 'Inactive') return undefined
    if (group.retryAfterMs !== null && clock.nowMs() < group.retryAfterMs) return undefined
    return startActivity(this.#context, groupId, {
      request: { kind: 'FixedNumber' },
      cause:
        group.state === 'Deleting'
          ? 'the group is being deleted'
          : 'fixed-number mode: keep min ≤ count ≤ max and count = desired',
    })
  }

  /** A member whose process is gone or exited is Unhealthy; elastic recovery replaces it. */
  async #markDead(groupId: ScalingGroupId, observed: ReadonlyMap<string, ObservedInstance>): Promise<void> {
    const members = await this.#context.store.instances.list({ groupId, states: ['InService', 'Standby'] })
    for (const member of members) {
      if (member.health === 'Unhealthy') continue
      const seen = observed.get(member.id)
      if (seen?.state === 'running') continue
      const reason = seen ? `exited (${seen.exitDescription ?? 'no exit status'})` : 'is gone from the provider'
      await patchInstance(this.#context.store, member.id, (current) =>
        current.state === 'InService' || current.state === 'Standby'
          ? { ...current, health: 'Unhealthy', statusReason: reason }
          : current,
      )
      this.#context.log.warn('instance.unhealthy', { instanceId: member.id, groupId, reason })
    }
  }

  async #deleteGroup(group: ScalingGroup): Promise<void> {
    await this.#context.store.transaction(async (tx) => {
      for (const rule of await tx.rules.list({ groupId: group.id })) await tx.rules.delete(rule.id)
      await tx.groups.delete(group.id)
    })
    this.#context.log.info('group.deleted', { groupId: group.id })
  }

  /** Standalone instances (run by an operator, or detached) boot, die and terminate on their own. */
  async #reconcileStandalone(observed: ReadonlyMap<string, ObservedInstance>): Promise<void> {
    const instances = await this.#context.store.instances.list({
      groupId: null,
      states: ['Pending', 'InService', 'Removing'],
    })
    for (const instance of instances) {
      const seen = observed.get(instance.id)
      if (instance.state === 'Pending') await bootStep(this.#context, instance, seen)
      else if (instance.state === 'Removing')
        await removeStep(this.#context, instance.id, 'terminate', 'terminated by request')
      else if (seen?.state !== 'running') {
        await removeStep(this.#context, instance.id, 'terminate', `exited (${seen?.exitDescription ?? 'gone'})`)
      }
    }
  }

  /**
   * The provider runs nothing the store does not know: an instance with no live record (a launch
   * whose record was lost) is terminated. Records are written before launches, so this is rare.
   */
  async #terminateOrphans(observed: ReadonlyMap<InstanceId, ObservedInstance>): Promise<void> {
    for (const [instanceId, seen] of observed) {
      const record = await this.#context.store.instances.get(instanceId)
      if (record && record.state !== 'Terminated') continue
      // An exited instance whose record ended this tick is only being cleared; a process that no
      // record knows, or one still running after its record ended, is a real orphan.
      if (record === undefined || seen.state === 'running') {
        this.#context.log.warn('instance.orphan-terminated', { instanceId })
      }
      await this.#context.provider.terminate(instanceId)
    }
  }
}
