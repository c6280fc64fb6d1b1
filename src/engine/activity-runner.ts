/**
 * Runs a group's activities, one at a time:
 *
 *   Queued ──start: plan in core, written with the group's new desired──▶ InProgress
 *     │                                                                      │ steps, tick by tick
 *     └──plan refused──▶ Rejected                      Successful | Warning | Failed ◀──┘
 *
 * Each tick advances the InProgress activity as far as it can go without waiting; every step is
 * idempotent, so after a crash the same activity resumes from what the store says.
 */
import { assert } from '../core/errors.ts'
import { type ActivityId, type InstanceId, instanceIdForLaunch, launchTokenFor } from '../core/ids.ts'
import { type PlanDecision, planActivity } from '../core/plan.ts'
import { type Activity, type ActivityRequest, isLive, type ScalingGroup } from '../core/types.ts'
import type { ObservedInstance } from '../ports/provider.ts'
import type { Collections } from '../ports/store.ts'
import type { EngineContext } from './engine-context.ts'
import { bootStep, recordLaunch, removeStep, type StepResult } from './instance-steps.ts'

/** New launches one activity starts per tick; the rest start on later ticks. */
export const LAUNCHES_PER_TICK_MAX = 20
/** Backoff after a failed fixed-number or recovery activity, doubling per failure up to the max, in ms. */
export const RETRY_BACKOFF_MS = 5_000
export const RETRY_BACKOFF_MAX_MS = 300_000

/** Starts a Queued activity (or a new engine-made one): plans it, or rejects it. */
export async function startActivity(
  context: EngineContext,
  groupId: ScalingGroup['id'],
  source: { activityId: ActivityId } | { request: ActivityRequest; cause: string },
): Promise<Activity | undefined> {
  return context.store.transaction(async (tx) => {
    const group = await tx.groups.get(groupId)
    if (!group) return undefined
    const existing = 'activityId' in source ? await tx.activities.get(source.activityId) : undefined
    const request = existing?.request ?? ('request' in source ? source.request : undefined)
    assert(request !== undefined, 'an activity to start has a request')
    const members = (await tx.instances.list({ groupId })).filter(isLive)
    const rule = request.kind === 'ExecuteRule' ? ((await tx.rules.get(request.ruleId)) ?? null) : null
    const attachCandidates = request.kind === 'AttachInstances' ? await loadAll(tx, request.instanceIds) : []
    const launchConfigurations = await tx.launchConfigurations.list()
    const nowMs = context.clock.nowMs()
    const decision: PlanDecision = planActivity({
      request,
      group,
      members,
      rule,
      attachCandidates,
      launchConfigurationCreatedAtMs: new Map(launchConfigurations.map((lc) => [lc.id, lc.createdAtMs])),
      nowMs,
    })
    if (decision.kind === 'nothing') {
      if (existing)
        await tx.activities.update({
          ...existing,
          status: 'Successful',
          progressPercent: 100,
          startedAtMs: nowMs,
          endedAtMs: nowMs,
          statusMessage: 'nothing to do',
        })
      return undefined
    }
    const base: Activity = existing ?? {
      id: context.ids.next('activity') as ActivityId,
      groupId,
      request,
      status: 'Queued',
      cause: 'cause' in source ? source.cause : '',
      description: '',
      plan: null,
      progressPercent: 0,
      statusMessage: null,
      createdAtMs: nowMs,
      startedAtMs: null,
      endedAtMs: null,
    }
    const activity: Activity =
      decision.kind === 'reject'
        ? {
            ...base,
            status: 'Rejected',
            statusMessage: decision.reason,
            startedAtMs: nowMs,
            endedAtMs: nowMs,
            progressPercent: 100,
          }
        : { ...base, status: 'InProgress', plan: decision.plan, description: decision.description, startedAtMs: nowMs }
    if (existing) await tx.activities.update(activity)
    else await tx.activities.insert(activity)
    if (decision.kind === 'run') {
      // A scheduled size change also moves the bounds; every other request only desired capacity.
      const sized = { ...group, desiredCapacity: decision.desiredCapacity, ...decision.bounds }
      const changed =
        sized.desiredCapacity !== group.desiredCapacity ||
        sized.minSize !== group.minSize ||
        sized.maxSize !== group.maxSize
      if (changed) await tx.groups.update(sized)
    }
    context.log.info(`activity.${activity.status === 'Rejected' ? 'rejected' : 'started'}`, {
      activityId: activity.id,
      groupId,
      request: request.kind,
      reason: activity.statusMessage ?? undefined,
    })
    return activity
  })
}

const loadAll = async (tx: Collections, ids: readonly InstanceId[]) =>
  (await Promise.all(ids.map((id) => tx.instances.get(id)))).filter((instance) => instance !== undefined)

/** Runs every step that can run now; finishes the activity when none is left waiting. */
export async function advanceActivity(
  context: EngineContext,
  activity: Activity,
  observed: ReadonlyMap<InstanceId, ObservedInstance>,
): Promise<Activity> {
  const plan = activity.plan
  assert(plan !== null && activity.status === 'InProgress', `activity ${activity.id} in progress has a plan`)
  const results: StepResult[] = []
  for (const removal of plan.removals) {
    results.push(await removeStep(context, removal.instanceId, removal.action, `removed by activity ${activity.id}`))
  }
  for (const instanceId of plan.attachments) results.push(await attachStep(context, activity, instanceId))
  results.push(...(await launchSteps(context, activity, observed)))
  const done = results.filter((result) => result === 'done').length
  const failed = results.filter((result) => result === 'failed').length
  const progressPercent = results.length === 0 ? 100 : Math.floor(((done + failed) * 100) / results.length)
  if (results.includes('waiting')) {
    if (progressPercent === activity.progressPercent) return activity
    const next = { ...activity, progressPercent }
    await context.store.activities.update(next)
    return next
  }
  return finishActivity(context, activity, { done, failed })
}

async function launchSteps(
  context: EngineContext,
  activity: Activity,
  observed: ReadonlyMap<InstanceId, ObservedInstance>,
): Promise<StepResult[]> {
  const plan = activity.plan
  assert(plan !== null, 'launch steps need a plan')
  let startedThisTick = 0
  const steps: Promise<StepResult>[] = []
  for (let index = 0; index < plan.launchCount; index += 1) {
    const instanceId = instanceIdForLaunch(activity.id, index)
    let instance = await context.store.instances.get(instanceId)
    if (instance === undefined) {
      if (startedThisTick >= LAUNCHES_PER_TICK_MAX) {
        steps.push(Promise.resolve('waiting'))
        continue
      }
      startedThisTick += 1
      const recorded = await recordGroupLaunch(context, activity, index)
      if (typeof recorded === 'string') {
        steps.push(Promise.resolve('failed'))
        continue
      }
      instance = recorded
    }
    const step = bootStep(context, instance, observed.get(instance.id))
    // Promise.all below reports a failure; until then a step that rejects while this loop still
    // awaits the next record must not count as unhandled (Node would end the process).
    step.catch(() => {})
    steps.push(step)
  }
  return Promise.all(steps)
}

/** Records launch `index` of the activity; returns the failure reason when it cannot. */
async function recordGroupLaunch(context: EngineContext, activity: Activity, index: number) {
  const zoneId = activity.plan?.launchZones[index]
  try {
    return await context.store.transaction(async (tx) => {
      const group = await tx.groups.get(activity.groupId)
      const zone = group?.zones.find((candidate) => candidate.zoneId === zoneId) ?? group?.zones[0]
      const launchConfiguration = group?.launchConfigurationId
        ? await tx.launchConfigurations.get(group.launchConfigurationId)
        : undefined
      const image = launchConfiguration ? await tx.images.get(launchConfiguration.imageId) : undefined
      if (!group || !zone || !launchConfiguration || !image)
        return 'the group, its launch configuration or image is gone'
      return recordLaunch(
        tx,
        {
          instanceId: instanceIdForLaunch(activity.id, index),
          clientToken: launchTokenFor(activity.id, index),
          groupId: group.id,
          activityId: activity.id,
          launchConfiguration,
          image,
          instanceType: launchConfiguration.instanceType,
          zoneId: zone.zoneId,
          subnet: zone.subnet,
          port: launchConfiguration.appPort,
          joinedBy: 'AutoCreated',
        },
        context.clock.nowMs(),
      )
    })
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    context.log.warn('activity.launch-not-recorded', { activityId: activity.id, reason })
    await context.store.transaction(async (tx) => {
      const current = await tx.activities.get(activity.id)
      if (current) await tx.activities.update({ ...current, statusMessage: reason })
    })
    return reason
  }
}

async function attachStep(context: EngineContext, activity: Activity, instanceId: InstanceId) {
  return context.store.transaction(async (tx): Promise<StepResult> => {
    const instance = await tx.instances.get(instanceId)
    if (instance?.groupId === activity.groupId) return 'done'
    if (!instance || instance.groupId !== null || instance.state !== 'InService') return 'failed'
    await tx.instances.update({ ...instance, groupId: activity.groupId, joinedBy: 'Attached', statusReason: null })
    return 'done'
  })
}

async function finishActivity(
  context: EngineContext,
  activity: Activity,
  counts: { done: number; failed: number },
): Promise<Activity> {
  const nowMs = context.clock.nowMs()
  const status = counts.failed === 0 ? 'Successful' : counts.done === 0 ? 'Failed' : 'Warning'
  return context.store.transaction(async (tx) => {
    const failures = (await tx.instances.list({ groupId: activity.groupId }))
      .filter(
        (instance) =>
          instance.activityId === activity.id && instance.state === 'Terminated' && instance.inServiceAtMs === null,
      )
      .map((instance) => `${instance.id}: ${instance.statusReason}`)
    const current = (await tx.activities.get(activity.id)) ?? activity
    const statusMessage = [summarise(current, counts), current.statusMessage, ...failures].filter(Boolean).join('; ')
    const finished: Activity = { ...current, status, progressPercent: 100, endedAtMs: nowMs, statusMessage }
    await tx.activities.update(finished)
    const group = await tx.groups.get(activity.groupId)
    if (group) await tx.groups.update(afterActivity(group, finished, nowMs))
    context.log.info('activity.finished', { activityId: activity.id, groupId: activity.groupId, status })
    return finished
  })
}

/** Starts cooldown when the plan says so; backs off fixed-number retries after failures. */
function afterActivity(group: ScalingGroup, activity: Activity, nowMs: number): ScalingGroup {
  const plan = activity.plan
  const cooldownUntilMs = plan?.startsCooldown ? nowMs + plan.cooldownSeconds * 1000 : group.cooldownUntilMs
  if (activity.status === 'Successful') return { ...group, cooldownUntilMs, consecutiveFailures: 0, retryAfterMs: null }
  const consecutiveFailures = group.consecutiveFailures + 1
  const backoffMs = Math.min(RETRY_BACKOFF_MS * 2 ** (consecutiveFailures - 1), RETRY_BACKOFF_MAX_MS)
  return { ...group, cooldownUntilMs, consecutiveFailures, retryAfterMs: nowMs + backoffMs }
}

/** One line on what the activity did, for the activity list and `--wait`. */
function summarise(activity: Activity, counts: { done: number; failed: number }): string {
  const plan = activity.plan
  if (!plan) return ''
  const parts = [
    plan.launchCount > 0 ? `${plan.launchCount} launch(es)` : '',
    plan.removals.length > 0 ? `${plan.removals.length} removal(s)` : '',
    plan.attachments.length > 0 ? `${plan.attachments.length} attachment(s)` : '',
  ].filter(Boolean)
  const failed = counts.failed > 0 ? `, ${counts.failed} failed` : ''
  return `capacity ${plan.capacityBefore} → ${plan.capacityAfter}: ${parts.join(', ') || 'nothing to change'}${failed}`
}
