/**
 * The steps an instance goes through, each idempotent so that a step repeated after a crash
 * finds what the first try did. Record, then act: the store says Pending before the provider
 * launches, and Removing before it terminates.
 */

import { DEFAULT_INSTANCE_TYPES } from '../core/cloud-instance-types.ts'
import { assert, BillowError } from '../core/errors.ts'
import type { ActivityId, InstanceId, ScalingGroupId } from '../core/ids.ts'
import { allocateAddress, parseSubnet } from '../core/subnet.ts'
import type { Image, Instance, LaunchConfiguration } from '../core/types.ts'
import type { ObservedInstance } from '../ports/provider.ts'
import { ProviderError } from '../ports/provider.ts'
import type { Collections } from '../ports/store.ts'
import { type JoinProgress, join, leaveAllowlists, leaveBalancers } from './attachments.ts'
import type { EngineContext } from './engine-context.ts'
import { patchInstance } from './instance-patch.ts'

/** How long an instance may take from launch to ready before it counts as failed, in ms. */
export const BOOT_TIMEOUT_MS = 60_000

export type StepResult = 'done' | 'failed' | 'waiting'

export interface LaunchSpec {
  readonly instanceId: InstanceId
  readonly clientToken: string
  readonly groupId: ScalingGroupId | null
  readonly activityId: ActivityId | null
  readonly launchConfiguration: LaunchConfiguration | null
  readonly image: Image
  readonly instanceType: string
  readonly zoneId: string
  readonly subnet: string
  readonly port: number
  readonly joinedBy: Instance['joinedBy']
}

/** Writes the Pending record with a fresh private IP, inside the caller's transaction. */
export async function recordLaunch(tx: Collections, spec: LaunchSpec, nowMs: number): Promise<Instance> {
  const existing = await tx.instances.get(spec.instanceId)
  if (existing) return existing
  const subnet = parseSubnet(spec.subnet)
  assert(typeof subnet !== 'string', `zone subnets are validated on write: ${spec.subnet}`)
  const taken = await tx.instances.list({ states: ['Pending', 'InService', 'Standby', 'Removing'] })
  const privateIp = allocateAddress(subnet, new Set(taken.map((instance) => instance.privateIp)))
  if (privateIp === undefined) {
    throw new BillowError('SubnetExhausted', `subnet ${spec.subnet} of zone ${spec.zoneId} has no free address`)
  }
  const instance: Instance = {
    id: spec.instanceId,
    groupId: spec.groupId,
    state: 'Pending',
    health: 'Healthy',
    protected: false,
    joinedBy: spec.joinedBy,
    launchConfigurationId: spec.launchConfiguration?.id ?? null,
    imageId: spec.image.id,
    instanceType: spec.instanceType,
    zoneId: spec.zoneId,
    privateIp,
    port: spec.port,
    clientToken: spec.clientToken,
    activityId: spec.activityId,
    removalAction: null,
    removalStartedAtMs: null,
    limitsEnforced: false,
    limitsNote: null,
    statusReason: null,
    createdAtMs: nowMs,
    inServiceAtMs: null,
    terminatedAtMs: null,
    registeredLoadBalancerIds: [],
    allowlistedDatabaseIds: [],
  }
  await tx.instances.insert(instance)
  return instance
}

/**
 * Moves a Pending instance on: launch it when the provider does not have it (idempotent on its
 * token); once its application is ready, join its group's databases and balancers; InService
 * once every balancer's check passes. A launch that fails (exits, misses the boot timeout, a
 * database or balancer refuses it) leaves through the same removal as any instance, so nothing
 * is left half attached.
 */
export async function bootStep(
  context: EngineContext,
  instance: Instance,
  observed: ObservedInstance | undefined,
): Promise<StepResult> {
  switch (instance.state) {
    case 'InService':
    case 'Standby':
      return 'done'
    case 'Terminated':
      return instance.inServiceAtMs !== null ? 'done' : 'failed'
    case 'Removing': {
      const removal = await removeStep(context, instance.id, 'terminate', instance.statusReason ?? 'launch failed')
      return removal === 'done' ? (instance.inServiceAtMs !== null ? 'done' : 'failed') : 'waiting'
    }
    case 'Pending':
      break
  }
  if (observed === undefined) return launchStep(context, instance)
  if (observed.state === 'exited') {
    return failLaunch(context, instance, `exited while booting (${observed.exitDescription ?? 'no exit status'})`)
  }
  const image = await context.store.images.get(instance.imageId)
  const ready = image?.healthPath ? (await context.probe.probe(instance, image.healthPath)) === 'ready' : true
  const group = instance.groupId ? await context.store.groups.get(instance.groupId) : undefined
  const progress: JoinProgress =
    ready && group ? await join(context, instance, group) : { kind: ready ? 'joined' : 'waiting' }
  if (progress.kind === 'failed') return failLaunch(context, instance, progress.reason)
  if (progress.kind === 'joined') {
    await patchInstance(context.store, instance.id, (current) =>
      current.state === 'Pending' ? { ...current, state: 'InService', inServiceAtMs: context.clock.nowMs() } : current,
    )
    context.log.info('instance.in-service', { instanceId: instance.id, groupId: instance.groupId })
    return 'done'
  }
  if (context.clock.nowMs() - instance.createdAtMs > BOOT_TIMEOUT_MS) {
    const waitingFor = ready ? "its balancers' health checks" : `its health path ${image?.healthPath}`
    return failLaunch(context, instance, `not ready within ${BOOT_TIMEOUT_MS / 1000} s (waiting for ${waitingFor})`)
  }
  return 'waiting'
}

async function launchStep(context: EngineContext, instance: Instance): Promise<StepResult> {
  const image = await context.store.images.get(instance.imageId)
  const launchConfiguration = instance.launchConfigurationId
    ? await context.store.launchConfigurations.get(instance.launchConfigurationId)
    : undefined
  const instanceType = (context.instanceTypes ?? DEFAULT_INSTANCE_TYPES).find(instance.instanceType)
  if (!image || !instanceType) return failLaunch(context, instance, `image ${instance.imageId} or its type is gone`)
  try {
    const observed = await context.provider.launch({
      clientToken: instance.clientToken,
      instanceId: instance.id,
      image,
      instanceType,
      zoneId: instance.zoneId,
      privateIp: instance.privateIp,
      port: instance.port,
      env: launchConfiguration?.env ?? {},
      userData: launchConfiguration?.userData ?? null,
    })
    await patchInstance(context.store, instance.id, (current) => ({
      ...current,
      limitsEnforced: observed.limitsEnforced,
      limitsNote: observed.limitsNote,
    }))
    context.log.info('instance.launched', { instanceId: instance.id, privateIp: instance.privateIp })
    return 'waiting'
  } catch (error) {
    if (error instanceof ProviderError && error.kind === 'retryable') return 'waiting'
    return failLaunch(context, instance, `launch failed: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** Sends a failed launch out through the normal removal (balancers, then terminate, then allowlists). */
async function failLaunch(context: EngineContext, instance: Instance, reason: string): Promise<StepResult> {
  context.log.warn('instance.launch-failed', { instanceId: instance.id, reason })
  const removal = await removeStep(context, instance.id, 'terminate', reason)
  return removal === 'done' ? 'failed' : 'waiting'
}

/**
 * Takes an instance out: marks it Removing (recorded first, so a crash resumes the same removal),
 * deregisters and drains it from its balancers, then detaches it (it keeps running, standalone)
 * or terminates it, and revokes its address from its databases' allowlists last, once nothing
 * runs there any more. 'waiting' while a drain or a database holds it.
 */
export async function removeStep(
  context: EngineContext,
  instanceId: InstanceId,
  action: 'terminate' | 'detach',
  reason: string,
): Promise<StepResult> {
  const nowMs = context.clock.nowMs()
  const instance = await patchInstance(context.store, instanceId, (current) =>
    current.state === 'Terminated' || current.state === 'Removing'
      ? current
      : { ...current, state: 'Removing', removalAction: action, statusReason: reason, removalStartedAtMs: nowMs },
  )
  if (instance === undefined || instance.state === 'Terminated') return 'done'
  if ((await leaveBalancers(context, instance)) === 'draining') return 'waiting'
  if (instance.removalAction === 'detach') {
    if ((await leaveAllowlists(context, instance)) === 'waiting') return 'waiting'
    await patchInstance(context.store, instanceId, (current) => ({
      ...current,
      groupId: null,
      state: 'InService',
      protected: false,
      removalAction: null,
      removalStartedAtMs: null,
      statusReason: `detached from ${current.groupId}`,
    }))
    return 'done'
  }
  await context.provider.terminate(instanceId)
  const current = (await context.store.instances.get(instanceId)) ?? instance
  if ((await leaveAllowlists(context, current)) === 'waiting') return 'waiting'
  await markTerminated(context, instanceId, instance.statusReason ?? reason)
  context.log.info('instance.terminated', { instanceId, reason: instance.statusReason ?? reason })
  return 'done'
}

async function markTerminated(context: EngineContext, instanceId: InstanceId, reason: string): Promise<void> {
  await patchInstance(context.store, instanceId, (current) => ({
    ...current,
    state: 'Terminated',
    removalAction: null,
    statusReason: reason,
    terminatedAtMs: context.clock.nowMs(),
  }))
}
