/** DescribeScalingActivities and DescribeRegions. */
import { z } from 'zod'
import { isBillowError } from '../../../core/errors.ts'
import type { ActivityId, ScalingGroupId } from '../../../core/ids.ts'
import type { Activity, ActivityStatus } from '../../../core/types.ts'
import { ACTIVITY_LIST_LIMIT_MAX } from '../../../service/activities.ts'
import { type EssAction, essAction } from '../action.ts'
import { defined, minuteTime, page, wrapped } from '../format.ts'
import { id, ignore, list, paging } from '../param-types.ts'

const LOOKUP_IDS_MAX = 20

/** Asking for several activities by id answers those that exist, like ESS. */
function unlessNotFound(error: unknown): undefined {
  if (isBillowError(error) && error.code === 'ActivityNotFound') return undefined
  throw error
}

/** ESS has no queue: a queued request is shown as in progress, which is what it is to the caller. */
const STATUS_CODE: Readonly<Record<ActivityStatus, string>> = {
  Queued: 'InProgress',
  InProgress: 'InProgress',
  Successful: 'Successful',
  Warning: 'Warning',
  Failed: 'Failed',
  Rejected: 'Rejected',
}

export const essActivity = (activity: Activity) => {
  const plan = activity.plan
  return defined({
    ScalingActivityId: activity.id,
    ScalingGroupId: activity.groupId,
    StatusCode: STATUS_CODE[activity.status],
    StatusMessage: activity.statusMessage ?? undefined,
    Progress: activity.progressPercent,
    Cause: activity.cause,
    Description: activity.description,
    StartTime: minuteTime(activity.startedAtMs ?? activity.createdAtMs),
    EndTime: minuteTime(activity.endedAtMs),
    // Strings, as ESS sends them.
    TotalCapacity: plan ? String(plan.capacityAfter) : undefined,
    AutoCreatedCapacity: plan ? String(plan.launchCount) : undefined,
    AttachedCapacity: plan ? String(plan.attachments.length) : undefined,
    ScalingInstanceNumber: plan ? plan.launchCount + plan.removals.length + plan.attachments.length : 0,
  })
}

export const scalingActivityActions: readonly EssAction[] = [
  essAction({
    name: 'DescribeScalingActivities',
    params: z.strictObject({
      ScalingGroupId: id.optional(),
      ScalingActivityId: list(id, LOOKUP_IDS_MAX).optional(),
      StatusCode: z.enum(['Successful', 'Warning', 'Failed', 'InProgress', 'Rejected']).optional(),
      ...paging,
      ...ignore(['InstanceRefreshTaskId', 'ScalingActivityType']),
    }),
    async handle(params, context) {
      const groupId = params.ScalingGroupId as ScalingGroupId | undefined
      let activities: readonly Activity[]
      if (params.ScalingActivityId) {
        const found: Activity[] = []
        for (const activityId of params.ScalingActivityId) {
          const activity = await context.services.activities.get(activityId as ActivityId).catch(unlessNotFound)
          if (activity && (groupId === undefined || activity.groupId === groupId)) found.push(activity)
        }
        activities = found
      } else {
        if (groupId !== undefined) await context.services.groups.get(groupId)
        activities = await context.services.activities.list({
          ...(groupId === undefined ? {} : { groupId }),
          limit: ACTIVITY_LIST_LIMIT_MAX,
        })
      }
      const matching = activities.filter(
        (activity) => params.StatusCode === undefined || STATUS_CODE[activity.status] === params.StatusCode,
      )
      const { items, fields } = page(matching, params)
      return { ...fields, ...wrapped('ScalingActivities', 'ScalingActivity', items.map(essActivity)) }
    },
  }),

  essAction({
    name: 'DescribeRegions',
    params: z.strictObject({ ...ignore(['AcceptLanguage']) }),
    async handle(_params, context) {
      return wrapped('Regions', 'Region', [
        {
          RegionId: context.region,
          LocalName: `Billow ${context.region}`,
          RegionEndpoint: context.host,
          VpcUnavailable: false,
          ClassicUnavailable: false,
        },
      ])
    },
  }),
]
