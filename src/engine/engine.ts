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
import type { InstanceId, LoadBalancerId, ScalingGroupId } from '../core/ids.ts'
import type { BackendHealth } from '../core/load-balancer.ts'
import { isLive, type ScalingGroup } from '../core/types.ts'
import type { ObservedInstance } from '../ports/provider.ts'
import { advanceActivity, startActivity } from './activity-runner.ts'
import { AlarmEvaluator } from './alarm-evaluator.ts'
import { needsSync, syncMembership } from './attachments.ts'
import type { EngineContext } from './engine-context.ts'
import { patchInstance } from './instance-patch.ts'
import { bootStep, removeStep } from './instance-steps.ts'
import { MetricCollector } from './metric-collector.ts'
import { Scheduler } from './scheduler.ts'

/** Time between ticks; a dead instance is noticed within two of them. */
export const TICK_INTERVAL_MS = 1_000
/** Activities one group may start in one tick (rejected ones included), so a long queue cannot stall the others. */
export const ACTIVITIES_STARTED_PER_TICK_MAX = 8

export class Engine {
  readonly #context: EngineContext
  #wake = new AbortController()
  #running: Promise<void> | undefined
  /** What each balancer was last applied with; rebuilt by the first tick after a start. */
  readonly #appliedLoadBalancers = new Map<LoadBalancerId, string>()
  #stopping = false
  /** Scheduled mode; it runs first in each tick, so a run it queues starts in the same tick. */
  readonly #scheduler: Scheduler
  /** Dynamic mode: metrics are collected, then alarms evaluated, before the groups reconcile. */
  readonly #metrics: MetricCollector
  readonly #alarms: AlarmEvaluator

  constructor(context: EngineContext) {
    this.#context = context
    this.#scheduler = new Scheduler(context)
    this.#metrics = new MetricCollector(context)
    this.#alarms = new AlarmEvaluator(context)
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
    try {
      await this.#scheduler.step()
    } catch (error) {
      this.#context.log.error('engine.scheduler-failed', {
        error: error instanceof Error ? error.stack : String(error),
      })
    }
    await this.#applyLoadBalancers()
    await this.#dynamicMode()
    const observedAtMs = this.#context.clock.nowMs()
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
    await this.#terminateOrphans(observed, observedAtMs)
    await this.#scheduler.advanceOpenRuns()
  }

  /** A failure to collect or evaluate is logged; the groups still reconcile this tick. */
  async #dynamicMode(): Promise<void> {
    try {
      await this.#metrics.step()
    } catch (error) {
      this.#context.log.error('engine.metrics-failed', { error: error instanceof Error ? error.stack : String(error) })
    }
    try {
      await this.#alarms.step()
    } catch (error) {
      this.#context.log.error('engine.alarms-failed', { error: error instanceof Error ? error.stack : String(error) })
    }
  }

  async #reconcileGroup(group: ScalingGroup, observed: ReadonlyMap<InstanceId, ObservedInstance>): Promise<void> {
    const { store } = this.#context
    await this.#markDead(group, observed)
    await this.#syncMembers(group)
    let [active] = await store.activities.list({ groupId: group.id, statuses: ['InProgress'] })
    for (let started = 0; started <= ACTIVITIES_STARTED_PER_TICK_MAX; started += 1) {
      // A start may end at once (Rejected): only an InProgress activity has steps to advance.
      if (active?.status === 'InProgress') {
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

  /**
   * A member whose process is gone or exited is Unhealthy; with the LoadBalancer health check
   * type, so is one that a balancer's check fails once its grace period is over. Elastic
   * recovery then replaces it.
   */
  async #markDead(group: ScalingGroup, observed: ReadonlyMap<InstanceId, ObservedInstance>): Promise<void> {
    const { store, clock } = this.#context
    const members = await store.instances.list({ groupId: group.id, states: ['InService', 'Standby'] })
    const health = group.healthCheckType === 'LoadBalancer' ? await this.#backendHealth(group) : new Map()
    for (const member of members) {
      if (member.health === 'Unhealthy') continue
      const seen = observed.get(member.id)
      let reason: string | undefined
      if (seen?.state !== 'running') {
        reason = seen ? `exited (${seen.exitDescription ?? 'no exit status'})` : 'is gone from the provider'
      } else if (clock.nowMs() - member.createdAtMs >= group.healthCheckGracePeriodSeconds * 1000) {
        const failing = member.registeredLoadBalancerIds.find((id) => health.get(id)?.get(member.id) === 'unhealthy')
        if (failing) reason = `fails the health check of load balancer ${failing}`
      }
      if (reason === undefined) continue
      const because = reason
      await patchInstance(store, member.id, (current) =>
        current.state === 'InService' || current.state === 'Standby'
          ? { ...current, health: 'Unhealthy', statusReason: because }
          : current,
      )
      this.#context.log.warn('instance.unhealthy', { instanceId: member.id, groupId: group.id, reason })
    }
  }

  /** What each of the group's balancers says of its backends; a balancer that does not answer says nothing. */
  async #backendHealth(group: ScalingGroup) {
    const health = new Map<LoadBalancerId, ReadonlyMap<InstanceId, BackendHealth>>()
    for (const attachment of group.loadBalancers) {
      const loadBalancer = await this.#context.store.loadBalancers.get(attachment.loadBalancerId)
      const balancer = loadBalancer ? this.#context.balancers[loadBalancer.driver] : undefined
      if (!balancer) continue
      try {
        health.set(attachment.loadBalancerId, await balancer.backends(attachment.loadBalancerId))
      } catch (error) {
        this.#context.log.warn('balancer.unavailable', {
          loadBalancerId: attachment.loadBalancerId,
          error: String(error),
        })
      }
    }
    return health
  }

  /** InService members follow balancers and databases attached to or detached from a running group. */
  async #syncMembers(group: ScalingGroup): Promise<void> {
    const members = await this.#context.store.instances.list({ groupId: group.id, states: ['InService'] })
    for (const member of members) {
      if (needsSync(member, group)) await syncMembership(this.#context, member, group)
    }
  }

  /**
   * Every balancer record has a running data plane with its configuration: applied once after a
   * start (which adopts data planes that kept running) and again whenever the record changes.
   */
  async #applyLoadBalancers(): Promise<void> {
    for (const loadBalancer of await this.#context.store.loadBalancers.list()) {
      const fingerprint = JSON.stringify(loadBalancer)
      if (this.#appliedLoadBalancers.get(loadBalancer.id) === fingerprint) continue
      const balancer = this.#context.balancers[loadBalancer.driver]
      if (!balancer) continue
      try {
        await balancer.apply(loadBalancer)
        this.#appliedLoadBalancers.set(loadBalancer.id, fingerprint)
      } catch (error) {
        this.#context.log.error('balancer.apply-failed', { loadBalancerId: loadBalancer.id, error: String(error) })
      }
    }
  }

  async #deleteGroup(group: ScalingGroup): Promise<void> {
    await this.#context.store.transaction(async (tx) => {
      for (const alarm of await tx.alarms.list({ groupId: group.id })) {
        await tx.alarmHistory.deleteForAlarm(alarm.id)
        await tx.alarms.delete(alarm.id)
      }
      for (const rule of await tx.rules.list({ groupId: group.id })) await tx.rules.delete(rule.id)
      for (const task of await tx.scheduledTasks.list({ groupId: group.id })) {
        await tx.scheduledTaskRuns.deleteForTask(task.id)
        await tx.scheduledTasks.delete(task.id)
      }
      await tx.groups.delete(group.id)
    })
    this.#context.log.info('group.deleted', { groupId: group.id })
  }

  /** Standalone instances (run by an operator, or detached) boot, die and terminate on their own. */
  async #reconcileStandalone(observed: ReadonlyMap<InstanceId, ObservedInstance>): Promise<void> {
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
  async #terminateOrphans(observed: ReadonlyMap<InstanceId, ObservedInstance>, observedAtMs: number): Promise<void> {
    for (const [instanceId, seen] of observed) {
      const record = await this.#context.store.instances.get(instanceId)
      if (record && record.state !== 'Terminated') continue
      // The provider was read at the start of the tick: an instance whose own removal ended since
      // then is already gone, not an orphan.
      if (record?.terminatedAtMs != null && record.terminatedAtMs >= observedAtMs) continue
      // An exited instance whose record ended earlier is only being cleared; a process that no
      // record knows, or one still running after its record ended, is a real orphan.
      if (record === undefined || seen.state === 'running') {
        this.#context.log.warn('instance.orphan-terminated', { instanceId })
      }
      await this.#context.provider.terminate(instanceId)
    }
  }
}
