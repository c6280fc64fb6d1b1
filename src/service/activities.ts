import { BillowError } from '../core/errors.ts'
import type { ActivityId, InstanceId, ScalingGroupId } from '../core/ids.ts'
import type { Activity, ActivityRequest } from '../core/types.ts'
import type { ActivityFilter, Collections } from '../ports/store.ts'
import type { ServiceContext } from './context.ts'
import { notFound } from './validate.ts'

/**
 * Requests that arrive while an activity runs wait in the group's queue instead of failing with
 * "activity in progress". The queue is bounded so a runaway script cannot grow it without end.
 */
export const QUEUE_LENGTH_MAX = 32
/** Activities one list call returns at most. */
export const ACTIVITY_LIST_LIMIT_MAX = 500

export function activityService(context: ServiceContext) {
  const { store } = context
  return {
    list: (filter: ActivityFilter) =>
      store.activities.list({
        ...filter,
        newestFirst: true,
        limit: Math.min(filter.limit ?? 100, ACTIVITY_LIST_LIMIT_MAX),
      }),

    async get(id: ActivityId): Promise<Activity> {
      return (await store.activities.get(id)) ?? notFound('ActivityNotFound', 'activity', id)
    },

    /** Queued and in-progress activities of a group, in the order they run. */
    queue: async (groupId: ScalingGroupId) => {
      if (!(await store.groups.get(groupId))) notFound('ScalingGroupNotFound', 'scaling group', groupId)
      return store.activities.list({ groupId, statuses: ['InProgress', 'Queued'] })
    },
  }
}

/** Puts a request in the group's queue, inside the caller's transaction, and wakes the engine. */
export async function enqueue(
  context: ServiceContext,
  tx: Collections,
  options: { groupId: ScalingGroupId; request: ActivityRequest; cause: string },
): Promise<Activity> {
  const group = await tx.groups.get(options.groupId)
  if (!group) notFound('ScalingGroupNotFound', 'scaling group', options.groupId)
  if (group.state !== 'Active') {
    throw new BillowError('ScalingGroupNotActive', `scaling group ${group.id} is ${group.state}; enable it first`)
  }
  const queued = await tx.activities.list({ groupId: group.id, statuses: ['Queued'] })
  if (queued.length >= QUEUE_LENGTH_MAX) {
    throw new BillowError('QueueFull', `scaling group ${group.id} already has ${QUEUE_LENGTH_MAX} queued requests`)
  }
  const activity: Activity = {
    id: context.ids.next('activity') as ActivityId,
    groupId: group.id,
    request: options.request,
    status: 'Queued',
    cause: options.cause,
    description: '',
    plan: null,
    progressPercent: 0,
    statusMessage: null,
    createdAtMs: context.clock.nowMs(),
    startedAtMs: null,
    endedAtMs: null,
  }
  await tx.activities.insert(activity)
  context.wakeEngine()
  return activity
}

/** Checks that each named instance is a live member of the group, naming the offending field. */
export async function requireMembers(
  tx: Collections,
  groupId: ScalingGroupId,
  instanceIds: readonly InstanceId[],
): Promise<void> {
  if (instanceIds.length === 0)
    throw new BillowError('MissingParameter', 'instanceIds: name at least one instance', { field: 'instanceIds' })
  if (new Set(instanceIds).size !== instanceIds.length) {
    throw new BillowError('InvalidParameterValue', 'instanceIds: names an instance twice', { field: 'instanceIds' })
  }
  for (const [index, id] of instanceIds.entries()) {
    const instance = await tx.instances.get(id)
    if (!instance || instance.groupId !== groupId || instance.state === 'Terminated' || instance.state === 'Removing') {
      throw new BillowError('InstanceNotFound', `instanceIds.${index}: ${id} is not a live member of ${groupId}`, {
        field: `instanceIds.${index}`,
      })
    }
  }
}
