/** DescribeAutoScalingActivities: Billow activities in Tencent's words. */
import { z } from 'zod'
import { isBillowError } from '../../../core/errors.ts'
import { type ActivityId, instanceIdForLaunch, type ScalingGroupId } from '../../../core/ids.ts'
import type { Activity, ActivityStatus } from '../../../core/types.ts'
import { ACTIVITY_LIST_LIMIT_MAX } from '../../../service/activities.ts'
import type { Services } from '../../../service/services.ts'
import { type TencentAction, tencentAction } from '../action.ts'
import { filters, id, isoTime, page, paging, passes, readFilters } from '../param-types.ts'

const LOOKUP_IDS_MAX = 100

/** Activities asked for by id: those that exist, as Tencent answers. */
async function byIds(ids: readonly string[], services: Services): Promise<Activity[]> {
  const found: Activity[] = []
  for (const activityId of ids) {
    try {
      found.push(await services.activities.get(activityId as ActivityId))
    } catch (error) {
      if (!isBillowError(error) || error.code !== 'ActivityNotFound') throw error
    }
  }
  return found
}

const STATUS_CODE: Readonly<Record<ActivityStatus, string>> = {
  Queued: 'INIT',
  InProgress: 'RUNNING',
  Successful: 'SUCCESSFUL',
  Warning: 'PARTIALLY_SUCCESSFUL',
  Failed: 'FAILED',
  Rejected: 'CANCELLED',
}

function activityType(activity: Activity): string {
  switch (activity.request.kind) {
    case 'AttachInstances':
      return 'ATTACH_INSTANCES'
    case 'DetachInstances':
      return 'DETACH_INSTANCES'
    case 'RemoveInstances':
      return 'REMOVE_INSTANCES'
    case 'ElasticRecovery':
      return 'REPLACE_UNHEALTHY_INSTANCE'
    default:
      return (activity.plan?.removals.length ?? 0) > 0 ? 'SCALE_IN' : 'SCALE_OUT'
  }
}

function relatedInstances(activity: Activity) {
  const plan = activity.plan
  if (!plan) return []
  const launched = Array.from({ length: plan.launchCount }, (_, index) => instanceIdForLaunch(activity.id, index))
  const status = STATUS_CODE[activity.status]
  return [...launched, ...plan.removals.map((removal) => removal.instanceId), ...plan.attachments].map(
    (instanceId) => ({ InstanceId: instanceId, InstanceStatus: status }),
  )
}

export const tencentActivity = (activity: Activity) => ({
  AutoScalingGroupId: activity.groupId,
  ActivityId: activity.id,
  ActivityType: activityType(activity),
  StatusCode: STATUS_CODE[activity.status],
  StatusMessage: activity.statusMessage ?? '',
  StatusMessageSimplified: activity.statusMessage ?? '',
  Cause: activity.cause,
  Description: activity.description,
  StartTime: isoTime(activity.startedAtMs ?? activity.createdAtMs),
  EndTime: isoTime(activity.endedAtMs),
  CreatedTime: isoTime(activity.createdAtMs),
  ActivityRelatedInstanceSet: relatedInstances(activity),
  LifecycleActionResultSet: [],
  DetailedStatusMessageSet: [],
  InvocationResultSet: [],
})

export const autoScalingActivityActions: readonly TencentAction[] = [
  tencentAction({
    name: 'DescribeAutoScalingActivities',
    params: z.strictObject({
      ActivityIds: z.array(id).max(LOOKUP_IDS_MAX).optional(),
      Filters: filters,
      ...paging,
      StartTime: z.iso.datetime({ offset: true }).optional(),
      EndTime: z.iso.datetime({ offset: true }).optional(),
    }),
    async handle(params, context) {
      const selected = readFilters(
        params.Filters,
        ['auto-scaling-group-id', 'activity-status-code', 'activity-type', 'activity-id'],
        params.ActivityIds,
      )
      const groupIds = selected.get('auto-scaling-group-id')
      const single = groupIds?.length === 1 ? groupIds[0] : undefined
      const fromMs = params.StartTime ? Date.parse(params.StartTime) : Number.NEGATIVE_INFINITY
      const toMs = params.EndTime ? Date.parse(params.EndTime) : Number.POSITIVE_INFINITY
      const ids = params.ActivityIds ?? []
      const candidates =
        ids.length > 0
          ? await byIds(ids, context.services)
          : await context.services.activities.list({
              ...(single ? { groupId: single as ScalingGroupId } : {}),
              limit: ACTIVITY_LIST_LIMIT_MAX,
            })
      const activities = candidates.filter(
        (activity) =>
          passes(selected, 'auto-scaling-group-id', activity.groupId) &&
          passes(selected, 'activity-status-code', STATUS_CODE[activity.status]) &&
          passes(selected, 'activity-type', activityType(activity)) &&
          passes(selected, 'activity-id', activity.id) &&
          activity.createdAtMs >= fromMs &&
          activity.createdAtMs <= toMs,
      )
      const { items, TotalCount } = page(activities, params)
      return { TotalCount, ActivitySet: items.map(tencentActivity) }
    },
  }),
]
