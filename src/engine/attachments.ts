/**
 * An instance's membership of its group's load balancers and database allowlists. Each function
 * is level-triggered: it compares what the instance record says it has joined with what it
 * should have, acts on the difference, and records each change right after the side effect
 * succeeds, so a crash repeats at most one idempotent call.
 *
 *   join:  allow on every database → register with every balancer → wait for each balancer's check
 *   leave: deregister and drain from every balancer → (terminate) → revoke from every database
 */
import type { DatabaseId, InstanceId, LoadBalancerId } from '../core/ids.ts'
import type { Instance, ScalingGroup } from '../core/types.ts'
import { BalancerError } from '../ports/balancer.ts'
import { AllowlistError } from '../ports/database-allowlist.ts'
import type { EngineContext } from './engine-context.ts'
import { patchInstance } from './instance-patch.ts'

/** How long a leaving instance may wait on a balancer or database that does not answer, in ms. */
export const LEAVE_GIVE_UP_MS = 300_000

export type JoinProgress =
  | { readonly kind: 'joined' }
  | { readonly kind: 'waiting' }
  | { readonly kind: 'failed'; readonly reason: string }

/** Adds the instance to every attachment of its group; 'joined' once every balancer says healthy. */
export async function join(context: EngineContext, instance: Instance, group: ScalingGroup): Promise<JoinProgress> {
  for (const databaseId of group.databaseIds) {
    if (instance.allowlistedDatabaseIds.includes(databaseId)) continue
    const failure = await allow(context, instance, databaseId)
    if (failure) return { kind: 'failed', reason: failure }
  }
  let allHealthy = true
  for (const attachment of group.loadBalancers) {
    const loadBalancer = await context.store.loadBalancers.get(attachment.loadBalancerId)
    const balancer = loadBalancer ? context.balancers[loadBalancer.driver] : undefined
    if (!loadBalancer || !balancer)
      return { kind: 'failed', reason: `load balancer ${attachment.loadBalancerId} has no driver here` }
    try {
      if (!instance.registeredLoadBalancerIds.includes(loadBalancer.id)) {
        await balancer.register(loadBalancer.id, {
          instanceId: instance.id,
          address: instance.privateIp,
          port: attachment.port ?? instance.port,
          weight: attachment.weight,
        })
        await addTo(context, instance.id, 'registeredLoadBalancerIds', loadBalancer.id)
      }
      const health = (await balancer.backends(loadBalancer.id)).get(instance.id)
      if (health !== 'healthy') allHealthy = false
    } catch (error) {
      if (error instanceof BalancerError && error.kind === 'Unavailable') return { kind: 'waiting' }
      return { kind: 'failed', reason: `load balancer ${loadBalancer.name} (${loadBalancer.id}): ${messageOf(error)}` }
    }
  }
  return allHealthy ? { kind: 'joined' } : { kind: 'waiting' }
}

/**
 * Deregisters from every balancer the instance is in, draining first. 'gone' once out of all of
 * them; a balancer that stays unreachable past LEAVE_GIVE_UP_MS is given up on, and logged.
 */
export async function leaveBalancers(context: EngineContext, instance: Instance): Promise<'gone' | 'draining'> {
  let draining = false
  for (const loadBalancerId of instance.registeredLoadBalancerIds) {
    const loadBalancer = await context.store.loadBalancers.get(loadBalancerId)
    const balancer = loadBalancer ? context.balancers[loadBalancer.driver] : undefined
    let progress: 'gone' | 'draining' = 'gone'
    if (loadBalancer && balancer) {
      try {
        progress = await balancer.deregister(loadBalancerId, instance.id)
      } catch (error) {
        progress =
          error instanceof BalancerError && error.kind === 'NotFound'
            ? 'gone'
            : giveUpOrWait(context, instance, loadBalancerId, error)
      }
    }
    if (progress === 'gone') await removeFrom(context, instance.id, 'registeredLoadBalancerIds', loadBalancerId)
    else draining = true
  }
  return draining ? 'draining' : 'gone'
}

/** Revokes the instance's address from every database that allows it; 'waiting' while one does not answer. */
export async function leaveAllowlists(
  context: EngineContext,
  instance: Instance,
  keep: readonly DatabaseId[] = [],
): Promise<'done' | 'waiting'> {
  let waiting = false
  for (const databaseId of instance.allowlistedDatabaseIds) {
    if (keep.includes(databaseId)) continue
    const database = await context.store.databases.get(databaseId)
    const allowlist = database ? context.allowlists[database.engine] : undefined
    try {
      if (database && allowlist) await allowlist.revoke(database, instance.privateIp)
      await removeFrom(context, instance.id, 'allowlistedDatabaseIds', databaseId)
    } catch (error) {
      if (giveUpOrWait(context, instance, databaseId, error) === 'gone') {
        await removeFrom(context, instance.id, 'allowlistedDatabaseIds', databaseId)
      } else waiting = true
    }
  }
  return waiting ? 'waiting' : 'done'
}

/**
 * Brings an InService member in line with its group's attachments after one was attached or
 * detached: joins new ones (without waiting for health: it already serves elsewhere), leaves old ones.
 */
export async function syncMembership(context: EngineContext, instance: Instance, group: ScalingGroup): Promise<void> {
  const attachedBalancers = group.loadBalancers.map((attachment) => attachment.loadBalancerId)
  const stale = instance.registeredLoadBalancerIds.filter((id) => !attachedBalancers.includes(id))
  if (stale.length > 0) await leaveBalancers(context, { ...instance, registeredLoadBalancerIds: stale })
  const staleDatabases = instance.allowlistedDatabaseIds.filter((id) => !group.databaseIds.includes(id))
  if (staleDatabases.length > 0) await leaveAllowlists(context, { ...instance, allowlistedDatabaseIds: staleDatabases })
  const missing =
    group.databaseIds.some((id) => !instance.allowlistedDatabaseIds.includes(id)) ||
    attachedBalancers.some((id) => !instance.registeredLoadBalancerIds.includes(id))
  if (!missing) return
  const progress = await join(context, instance, group)
  if (progress.kind === 'failed')
    context.log.warn('instance.attachment-failed', { instanceId: instance.id, reason: progress.reason })
}

export const needsSync = (instance: Instance, group: ScalingGroup): boolean => {
  const balancers = group.loadBalancers.map((attachment) => attachment.loadBalancerId)
  return (
    !sameSet(balancers, instance.registeredLoadBalancerIds) ||
    !sameSet(group.databaseIds, instance.allowlistedDatabaseIds)
  )
}

async function allow(context: EngineContext, instance: Instance, databaseId: DatabaseId): Promise<string | undefined> {
  const database = await context.store.databases.get(databaseId)
  const allowlist = database ? context.allowlists[database.engine] : undefined
  if (!database || !allowlist) return `database ${databaseId} has no allowlist driver here`
  try {
    await allowlist.allow(database, instance.privateIp)
  } catch (error) {
    return `database ${database.name} (${database.id}): ${messageOf(error)}`
  }
  await addTo(context, instance.id, 'allowlistedDatabaseIds', databaseId)
  return undefined
}

function giveUpOrWait(
  context: EngineContext,
  instance: Instance,
  attachmentId: string,
  error: unknown,
): 'gone' | 'draining' {
  const since = instance.removalStartedAtMs ?? context.clock.nowMs()
  if (context.clock.nowMs() - since < LEAVE_GIVE_UP_MS) return 'draining'
  context.log.error('instance.leave-gave-up', {
    instanceId: instance.id,
    attachmentId,
    reason: error instanceof AllowlistError || error instanceof BalancerError ? error.message : messageOf(error),
  })
  return 'gone'
}

type ListField = 'registeredLoadBalancerIds' | 'allowlistedDatabaseIds'

const addTo = (context: EngineContext, instanceId: InstanceId, field: ListField, id: LoadBalancerId | DatabaseId) =>
  patchInstance(context.store, instanceId, (current) =>
    (current[field] as readonly string[]).includes(id) ? current : { ...current, [field]: [...current[field], id] },
  )

const removeFrom = (
  context: EngineContext,
  instanceId: InstanceId,
  field: ListField,
  id: LoadBalancerId | DatabaseId,
) =>
  patchInstance(context.store, instanceId, (current) =>
    (current[field] as readonly string[]).includes(id)
      ? { ...current, [field]: (current[field] as readonly string[]).filter((other) => other !== id) }
      : current,
  )

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((item) => b.includes(item))

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))
