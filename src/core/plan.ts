/**
 * Turns a request into a plan when its activity starts: pure, so the same decision is made live,
 * in tests and in the simulator. The engine writes the plan (and the group's new desired
 * capacity) before it runs a single step.
 */
import { currentCapacity, ruleOutcome, targetCapacity } from './capacity.ts'
import { cooldownSecondsFor, isInCooldown } from './cooldown.ts'
import type { InstanceId } from './ids.ts'
import { chooseForRemoval } from './removal-policy/choose.ts'
import { isWarmingUp, ruleAdjustment } from './rules/rule-adjustment.ts'
import { decideGroupSize, sizeOf } from './schedule/group-size.ts'
import type { ActivityPlan, ActivityRequest, Instance, ScalingGroup, ScalingRule } from './types.ts'
import { chooseLaunchZones } from './zone-balance.ts'

export interface PlanInput {
  readonly request: ActivityRequest
  readonly group: ScalingGroup
  /** The group's live members (Pending, InService, Standby). */
  readonly members: readonly Instance[]
  /** The rule of an ExecuteRule request; null when it no longer exists. */
  readonly rule: ScalingRule | null
  /** For AttachInstances: the instances named, as the store has them now. */
  readonly attachCandidates: readonly Instance[]
  readonly launchConfigurationCreatedAtMs: ReadonlyMap<string, number>
  readonly nowMs: number
}

export type PlanDecision =
  | {
      readonly kind: 'run'
      readonly plan: ActivityPlan
      /** The group's desired capacity once the activity starts (null: the group keeps none). */
      readonly desiredCapacity: number | null
      /** The group's new min and max, when the activity changes them (SetGroupSize). */
      readonly bounds?: { readonly minSize: number; readonly maxSize: number }
      readonly description: string
    }
  | { readonly kind: 'reject'; readonly reason: string }
  /** Nothing to do; only fixed-number checks end here, and they record no activity. */
  | { readonly kind: 'nothing' }

export function planActivity(input: PlanInput): PlanDecision {
  const decision = decide(input)
  return decision.kind === 'run' ? withSizes(decision, input.group) : decision
}

/** Every plan records the group's size settings before and after, so a window's revert knows what to restore. */
function withSizes(decision: Extract<PlanDecision, { kind: 'run' }>, group: ScalingGroup): PlanDecision {
  const sizeAfter = {
    minSize: decision.bounds?.minSize ?? group.minSize,
    maxSize: decision.bounds?.maxSize ?? group.maxSize,
    desiredCapacity: decision.desiredCapacity,
  }
  return { ...decision, plan: { ...decision.plan, sizeBefore: sizeOf(group), sizeAfter } }
}

function decide(input: PlanInput): PlanDecision {
  const { request, group } = input
  if (group.state !== 'Active' && request.kind !== 'FixedNumber' && request.kind !== 'ElasticRecovery') {
    return { kind: 'reject', reason: `the group is ${group.state}; enable it first` }
  }
  switch (request.kind) {
    case 'ExecuteRule':
      return planRule(input, request)
    case 'SetDesiredCapacity':
      return planSetDesired(input, request)
    case 'SetGroupSize':
      return planSetGroupSize(input, request)
    case 'AttachInstances':
      return planAttach(input, request.instanceIds)
    case 'DetachInstances':
      return planLeave(input, request.instanceIds, { detachAll: true, decrementDesired: request.decrementDesired })
    case 'RemoveInstances':
      return planLeave(input, request.instanceIds, { detachAll: false, terminateAttached: request.terminateAttached })
    case 'FixedNumber':
      return planFixedNumber(input)
    case 'ElasticRecovery':
      return planRecovery(input, request.instanceIds)
  }
}

function planRule(input: PlanInput, request: Extract<ActivityRequest, { kind: 'ExecuteRule' }>): PlanDecision {
  const { group, rule, nowMs } = input
  if (rule === null) return { kind: 'reject', reason: `scaling rule ${request.ruleId} no longer exists` }
  if (request.honorCooldown && isInCooldown(group, nowMs)) {
    return {
      kind: 'reject',
      reason: `the group is in cooldown until ${new Date(group.cooldownUntilMs ?? 0).toISOString()}`,
    }
  }
  const current = currentCapacity(group, input.members.length)
  const adjustment = ruleAdjustment({ rule, request, current, warmingUp: isWarmingUp(rule, input.members, nowMs) })
  if (adjustment.kind === 'reject') return adjustment
  const outcome = ruleOutcome(adjustment.adjustment, group, current)
  if (outcome.capacityAfter === current) {
    const bound = outcome.clampedBy === 'MaxSize' ? `max size ${group.maxSize}` : `min size ${group.minSize}`
    return {
      kind: 'reject',
      reason: outcome.clampedBy
        ? `capacity stays at ${current}: the rule asks for ${outcome.capacityRequested}, the group is at its ${bound}`
        : `capacity stays at ${current}: the rule changes nothing`,
    }
  }
  const clampNote = outcome.clampedBy ? ` (asked ${outcome.capacityRequested}, limited by ${outcome.clampedBy})` : ''
  return resize(input, outcome.capacityAfter, {
    startsCooldown: true,
    cooldownSeconds: cooldownSecondsFor(group, rule),
    description: `execute scaling rule "${rule.name}" (${rule.id}): capacity ${current} → ${outcome.capacityAfter}${adjustment.note}${clampNote}`,
    keepDesired: group.desiredCapacity !== null,
  })
}

function planSetDesired(
  input: PlanInput,
  request: Extract<ActivityRequest, { kind: 'SetDesiredCapacity' }>,
): PlanDecision {
  const { group, nowMs } = input
  const desired = request.desiredCapacity
  if (desired < group.minSize || desired > group.maxSize) {
    return { kind: 'reject', reason: `desired capacity ${desired} is outside [${group.minSize}, ${group.maxSize}]` }
  }
  if (request.honorCooldown && isInCooldown(group, nowMs)) {
    return {
      kind: 'reject',
      reason: `the group is in cooldown until ${new Date(group.cooldownUntilMs ?? 0).toISOString()}`,
    }
  }
  const before = currentCapacity(group, input.members.length)
  return resize(input, desired, {
    startsCooldown: false,
    cooldownSeconds: 0,
    description: `set desired capacity ${group.desiredCapacity ?? 'unset'} → ${desired}`,
    keepDesired: true,
    capacityBefore: before,
  })
}

function planSetGroupSize(input: PlanInput, request: Extract<ActivityRequest, { kind: 'SetGroupSize' }>): PlanDecision {
  const { group, members, nowMs } = input
  const outcome = decideGroupSize({ request, group, liveCount: members.length, nowMs })
  if (outcome.kind === 'reject') return outcome
  const decision = resize(input, outcome.capacityAfter, {
    startsCooldown: false,
    cooldownSeconds: 0,
    description: outcome.description,
    keepDesired: outcome.size.desiredCapacity !== null,
  })
  if (decision.kind !== 'run') return decision
  return { ...decision, bounds: { minSize: outcome.size.minSize, maxSize: outcome.size.maxSize } }
}

/** Launches or removes the difference between the live count and `capacityAfter`. */
function resize(
  input: PlanInput,
  capacityAfter: number,
  options: {
    startsCooldown: boolean
    cooldownSeconds: number
    description: string
    keepDesired: boolean
    capacityBefore?: number
  },
): PlanDecision {
  const { group, members } = input
  const difference = capacityAfter - members.length
  const launchZones = chooseLaunchZones({
    zoneIds: group.zones.map((zone) => zone.zoneId),
    liveZoneIds: members.map((member) => member.zoneId),
    count: Math.max(0, difference),
  })
  const removed = difference < 0 ? removalsFor(input, members, -difference) : []
  return {
    kind: 'run',
    desiredCapacity: options.keepDesired ? capacityAfter : group.desiredCapacity,
    description: options.description,
    plan: {
      capacityBefore: options.capacityBefore ?? currentCapacity(group, members.length),
      capacityAfter,
      launchCount: launchZones.length,
      launchZones,
      removals: removed.map((instance) => ({ instanceId: instance.id, action: leaveAction(instance, false) })),
      attachments: [],
      startsCooldown: options.startsCooldown,
      cooldownSeconds: options.cooldownSeconds,
    },
  }
}

function removalsFor(input: PlanInput, candidates: readonly Instance[], count: number): Instance[] {
  const byId = new Map(candidates.map((instance) => [instance.id, instance]))
  return chooseForRemoval({
    candidates,
    count,
    policies: input.group.removalPolicies,
    context: { launchConfigurationCreatedAtMs: input.launchConfigurationCreatedAtMs },
  }).map((candidate) => byId.get(candidate.id) as Instance)
}

/** An Attached instance leaves the group and keeps running unless the request says to terminate it. */
const leaveAction = (instance: Instance, terminateAttached: boolean): 'terminate' | 'detach' =>
  instance.joinedBy === 'Attached' && !terminateAttached ? 'detach' : 'terminate'

function planAttach(input: PlanInput, instanceIds: readonly InstanceId[]): PlanDecision {
  const { group, members } = input
  for (const id of instanceIds) {
    const instance = input.attachCandidates.find((candidate) => candidate.id === id)
    if (instance?.state !== 'InService' || instance.groupId !== null) {
      return { kind: 'reject', reason: `instance ${id} is not a running standalone instance` }
    }
  }
  const after = members.length + instanceIds.length
  if (after > group.maxSize) {
    return {
      kind: 'reject',
      reason: `attaching ${instanceIds.length} would make ${after}, above max size ${group.maxSize}`,
    }
  }
  const before = currentCapacity(group, members.length)
  return {
    kind: 'run',
    desiredCapacity: group.desiredCapacity === null ? null : group.desiredCapacity + instanceIds.length,
    description: `attach ${instanceIds.length} instance(s): ${instanceIds.join(', ')}`,
    plan: emptyPlan(before, before + instanceIds.length, { attachments: instanceIds }),
  }
}

function planLeave(
  input: PlanInput,
  instanceIds: readonly InstanceId[],
  options: { detachAll: boolean; decrementDesired?: boolean; terminateAttached?: boolean },
): PlanDecision {
  const { group, members } = input
  const leaving: Instance[] = []
  for (const id of instanceIds) {
    const instance = members.find((member) => member.id === id)
    if (!instance) return { kind: 'reject', reason: `instance ${id} is not a live member of the group` }
    if (!options.detachAll && instance.protected) {
      return { kind: 'reject', reason: `instance ${id} is protected from removal; unprotect it first` }
    }
    leaving.push(instance)
  }
  const decrement = options.detachAll ? options.decrementDesired !== false : true
  const before = currentCapacity(group, members.length)
  const after = decrement ? before - leaving.length : before
  if (decrement && after < group.minSize) {
    return {
      kind: 'reject',
      reason: `removing ${leaving.length} would leave ${after}, below min size ${group.minSize}`,
    }
  }
  const verb = options.detachAll ? 'detach' : 'remove'
  return {
    kind: 'run',
    desiredCapacity:
      group.desiredCapacity === null
        ? null
        : decrement
          ? group.desiredCapacity - leaving.length
          : group.desiredCapacity,
    description: `${verb} ${leaving.length} instance(s): ${instanceIds.join(', ')}`,
    plan: emptyPlan(before, after, {
      removals: leaving.map((instance) => ({
        instanceId: instance.id,
        action: options.detachAll ? 'detach' : leaveAction(instance, options.terminateAttached === true),
      })),
    }),
  }
}

function planFixedNumber(input: PlanInput): PlanDecision {
  const { group, members } = input
  if (group.state === 'Deleting') return planDrain(input)
  const target = targetCapacity(group, members.length)
  if (target === members.length) return { kind: 'nothing' }
  const decision = resize(input, target, {
    startsCooldown: false,
    cooldownSeconds: 0,
    description:
      target > members.length
        ? `the group has ${members.length} instance(s), fewer than the ${describeTarget(group)} ${target}: add ${target - members.length}`
        : `the group has ${members.length} instance(s), more than the ${describeTarget(group)} ${target}: remove ${members.length - target}`,
    keepDesired: false,
    capacityBefore: members.length,
  })
  if (decision.kind === 'run' && decision.plan.launchCount === 0 && decision.plan.removals.length === 0) {
    return { kind: 'nothing' }
  }
  return decision
}

/** A forced delete empties the group, protected instances included: the operator asked for it. */
function planDrain(input: PlanInput): PlanDecision {
  const { group, members } = input
  if (members.length === 0) return { kind: 'nothing' }
  return {
    kind: 'run',
    desiredCapacity: group.desiredCapacity,
    description: `the group is being deleted: remove all ${members.length} instance(s)`,
    plan: emptyPlan(members.length, 0, {
      removals: members.map((instance) => ({ instanceId: instance.id, action: leaveAction(instance, false) })),
    }),
  }
}

const describeTarget = (group: ScalingGroup): string =>
  group.desiredCapacity !== null ? 'desired capacity' : group.minSize > 0 ? 'size bounds' : 'max size'

function planRecovery(input: PlanInput, instanceIds: readonly InstanceId[]): PlanDecision {
  const { group, members } = input
  const unhealthy = members.filter((member) => instanceIds.includes(member.id))
  const healthyCount = members.length - unhealthy.length
  const target = targetCapacity(group, members.length)
  const launchZones = chooseLaunchZones({
    zoneIds: group.zones.map((zone) => zone.zoneId),
    liveZoneIds: members.filter((member) => !unhealthy.includes(member)).map((member) => member.zoneId),
    count: Math.max(0, target - healthyCount),
  })
  const protectedNote = unhealthy.some((instance) => instance.protected)
    ? ' (protection guards against scale-in only; unhealthy protected instances are replaced too)'
    : ''
  return {
    kind: 'run',
    desiredCapacity: group.desiredCapacity,
    description: `elastic recovery: replace unhealthy ${unhealthy.map((instance) => instance.id).join(', ')}${protectedNote}`,
    plan: {
      ...emptyPlan(members.length, healthyCount + launchZones.length, {
        removals: unhealthy.map((instance) => ({ instanceId: instance.id, action: 'terminate' as const })),
      }),
      launchCount: launchZones.length,
      launchZones,
    },
  }
}

function emptyPlan(
  capacityBefore: number,
  capacityAfter: number,
  parts: Partial<Pick<ActivityPlan, 'removals' | 'attachments'>>,
): ActivityPlan {
  return {
    capacityBefore,
    capacityAfter,
    launchCount: 0,
    launchZones: [],
    removals: parts.removals ?? [],
    attachments: parts.attachments ?? [],
    startsCooldown: false,
    cooldownSeconds: 0,
  }
}
