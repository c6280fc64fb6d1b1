/**
 * Branded ids keep an image id from being passed where a group id is expected. Prefixes follow
 * the clouds (asg-, asc-, asr-, asa- as in ESS) so ids read the same in every dialect.
 */
declare const brand: unique symbol
type Branded<T, B extends string> = T & { readonly [brand]: B }

export type ImageId = Branded<string, 'ImageId'>
export type LaunchConfigurationId = Branded<string, 'LaunchConfigurationId'>
export type ScalingGroupId = Branded<string, 'ScalingGroupId'>
export type ScalingRuleId = Branded<string, 'ScalingRuleId'>
export type InstanceId = Branded<string, 'InstanceId'>
export type ActivityId = Branded<string, 'ActivityId'>
export type TokenId = Branded<string, 'TokenId'>
export type ScheduledTaskId = Branded<string, 'ScheduledTaskId'>
export type AccessKeyId = Branded<string, 'AccessKeyId'>
export type LoadBalancerId = Branded<string, 'LoadBalancerId'>
export type DatabaseId = Branded<string, 'DatabaseId'>
export type AlarmId = Branded<string, 'AlarmId'>

export const ID_PREFIX = {
  image: 'img-',
  launchConfiguration: 'asc-',
  scalingGroup: 'asg-',
  scalingRule: 'asr-',
  instance: 'i-',
  activity: 'asa-',
  token: 'tok-',
  scheduledTask: 'sst-',
  accessKey: 'ak-',
  loadBalancer: 'lb-',
  database: 'db-',
  alarm: 'alarm-',
} as const

export type IdKind = keyof typeof ID_PREFIX

/** Length of the random part of an id, in characters of [0-9a-z]; 16 base-36 chars ≈ 82 bits. */
export const ID_RANDOM_LENGTH = 16

const ID_PATTERN = /^[0-9a-z]+$/

export const hasIdShape = (kind: IdKind, value: string): boolean =>
  value.startsWith(ID_PREFIX[kind]) && ID_PATTERN.test(value.slice(ID_PREFIX[kind].length))

/**
 * Instances launched by an activity get deterministic ids derived from the activity and the
 * launch's index: a step retried after a crash finds the instance it launched before instead of
 * launching a second one (the launch's client token is the same string).
 */
export function launchTokenFor(activityId: ActivityId, index: number): string {
  return `${activityId}#${index}`
}

export function instanceIdForLaunch(activityId: ActivityId, index: number): InstanceId {
  const activitySuffix = activityId.slice(ID_PREFIX.activity.length)
  return `${ID_PREFIX.instance}${activitySuffix}${index.toString(36).padStart(2, '0')}` as InstanceId
}
