/**
 * The checker: what must hold after every simulated step, whatever the faults. Each check returns
 * the reason it fails (or null), so the runner can print it with the seed and the step.
 *
 * Step invariants hold at every step; settled invariants once the faults have stopped and the
 * group had time to converge.
 */

import { targetCapacity } from '../../src/core/capacity.ts'
import type { InstanceId, ScalingGroupId } from '../../src/core/ids.ts'
import { type Activity, isLive } from '../../src/core/types.ts'
import type { Store } from '../../src/ports/store.ts'
import type { SimProvider } from '../../src/providers/sim/sim-provider.ts'

/** Requests whose removals are a scale-in chosen by the removal policy: protection must hold there. */
const SCALE_IN_KINDS: readonly Activity['request']['kind'][] = [
  'ExecuteRule',
  'SetDesiredCapacity',
  'SetGroupSize',
  'FixedNumber',
]

export interface CheckInput {
  readonly store: Store
  readonly provider: SimProvider
  readonly groupId: ScalingGroupId
  /** When each instance was protected by the driver (it is never unprotected). */
  readonly protectedAtMs: ReadonlyMap<InstanceId, number>
}

/** InService + Pending (+ Standby) never exceed max: replacements are launched only after the replaced leave. */
export async function checkCapacityBound(input: CheckInput): Promise<string | null> {
  const group = await input.store.groups.get(input.groupId)
  if (!group) return 'the group is gone'
  const live = (await input.store.instances.list({ groupId: input.groupId })).filter(isLive)
  if (live.length > group.maxSize) {
    return `capacity: ${live.length} live instances (${live.map((i) => `${i.id}:${i.state}`).join(', ')}) > max ${group.maxSize}`
  }
  return null
}

/** History invariants: protection, cooldown, scheduled occurrences at most once. */
export function checkHistory(activities: readonly Activity[], protectedAtMs: ReadonlyMap<InstanceId, number>) {
  const ordered = activities.toSorted((a, b) => (a.startedAtMs ?? 0) - (b.startedAtMs ?? 0))
  for (const activity of ordered) {
    if (!activity.plan || activity.startedAtMs === null || !SCALE_IN_KINDS.includes(activity.request.kind)) continue
    for (const removal of activity.plan.removals) {
      const since = protectedAtMs.get(removal.instanceId)
      // Protection given at the instant of an earlier tick's plan came after it (the driver acts between ticks).
      if (since !== undefined && since < activity.startedAtMs) {
        return `protection: ${activity.id} (${activity.request.kind}) chose protected instance ${removal.instanceId}`
      }
    }
  }
  let cooldownUntilMs = Number.NEGATIVE_INFINITY
  let cooldownFrom = ''
  for (const activity of ordered) {
    const started = activity.status !== 'Rejected' && activity.startedAtMs !== null
    const honours = 'honorCooldown' in activity.request && activity.request.honorCooldown
    if (
      started &&
      honours &&
      activity.request.kind === 'ExecuteRule' &&
      (activity.startedAtMs ?? 0) < cooldownUntilMs
    ) {
      return `cooldown: ${activity.id} started at ${iso(activity.startedAtMs)} inside the cooldown of ${cooldownFrom} (until ${iso(cooldownUntilMs)})`
    }
    if (activity.plan?.startsCooldown && activity.endedAtMs !== null && activity.status !== 'Rejected') {
      cooldownUntilMs = activity.endedAtMs + activity.plan.cooldownSeconds * 1000
      cooldownFrom = activity.id
    }
  }
  const occurrences = new Map<string, string>()
  for (const activity of ordered) {
    if (!('scheduled' in activity.request) || activity.status === 'Rejected') continue
    const { taskId, occurrenceAtMs, phase } = activity.request.scheduled
    const key = `${taskId}@${iso(occurrenceAtMs)}/${phase}`
    const first = occurrences.get(key)
    if (first) return `schedule: occurrence ${key} ran twice (${first}, ${activity.id})`
    occurrences.set(key, activity.id)
  }
  return null
}

/** Once settled: every activity terminal, count = target, all InService and healthy, store = provider. */
export async function checkSettled(input: CheckInput): Promise<string | null> {
  const { store, provider, groupId } = input
  const open = await store.activities.list({ groupId, statuses: ['Queued', 'InProgress'] })
  if (open.length > 0) return `activities not terminal: ${open.map((a) => `${a.id}:${a.status}`).join(', ')}`
  const group = await store.groups.get(groupId)
  if (!group) return 'the group is gone'
  const live = (await store.instances.list({ groupId })).filter(isLive)
  // Protected members are never scaled in: a group may stay above its target by them, no further.
  const target = targetCapacity(group, live.length)
  const expected = Math.max(target, Math.min(live.filter((i) => i.protected).length, group.maxSize))
  if (live.length !== expected) {
    return `convergence: ${live.length} live instances, expected ${expected} (target ${target})`
  }
  const notReady = live.filter((i) => i.state !== 'InService' || i.health !== 'Healthy')
  if (notReady.length > 0) return `convergence: not InService and healthy: ${notReady.map((i) => i.id).join(', ')}`
  const known = new Set((await store.instances.list({})).filter((i) => i.state !== 'Terminated').map((i) => i.id))
  const running = await provider.list()
  const unknown = running.filter((o) => !known.has(o.instanceId))
  if (unknown.length > 0)
    return `orphans: the provider runs ${unknown.map((o) => o.instanceId).join(', ')} unknown to the store`
  const seen = new Set(running.filter((o) => o.state === 'running').map((o) => o.instanceId))
  const lost = [...known].filter((id) => !seen.has(id as InstanceId))
  if (lost.length > 0) return `lost: the store knows ${lost.join(', ')}, the provider does not run them`
  return null
}

const iso = (ms: number | null): string => (ms === null ? 'never' : new Date(ms).toISOString())
