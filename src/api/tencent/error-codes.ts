/**
 * Billow's error codes as Tencent Cloud API 3.0 says them: the AS codes where they exist
 * (tencentcloud-sdk-go as/v20180419/errors.go), the common ones otherwise. Every Tencent error
 * is HTTP 200 with Response.Error, so only the code matters. The compiler checks both maps are
 * total; an action may name a more precise code for a Billow code.
 */
import type { BillowErrorCode } from '../../core/errors.ts'
import type { AuthFailureReason } from '../signature/auth-failure.ts'

export const TENCENT_ERRORS = {
  InvalidParameterValue: 'InvalidParameterValue',
  MissingParameter: 'MissingParameter',
  UnknownParameter: 'UnknownParameter',
  MalformedRequest: 'InvalidParameter',
  PayloadTooLarge: 'RequestSizeLimitExceeded',
  Unauthenticated: 'AuthFailure.InvalidAuthorization',
  Forbidden: 'AuthFailure.UnauthorizedOperation',
  RouteNotFound: 'InvalidAction',
  ImageNotFound: 'InvalidParameterValue.InvalidImageId',
  ImageInUse: 'ResourceInUse',
  LaunchConfigurationNotFound: 'ResourceNotFound.LaunchConfigurationIdNotFound',
  LaunchConfigurationInUse: 'ResourceInUse.LaunchConfigurationIdInUse',
  LaunchConfigurationMissing: 'MissingParameter',
  ScalingGroupNotFound: 'ResourceNotFound.AutoScalingGroupNotFound',
  ScalingGroupNotEmpty: 'ResourceInUse.InstanceInGroup',
  ScalingGroupNotActive: 'ResourceUnavailable.AutoScalingGroupDisabled',
  ScalingRuleNotFound: 'ResourceNotFound.ScalingPolicyNotFound',
  ScheduledTaskNotFound: 'ResourceNotFound.ScheduledActionNotFound',
  'QuotaExceeded.ScheduledTask': 'LimitExceeded',
  InstanceNotFound: 'ResourceNotFound.InstancesNotInAutoScalingGroup',
  InstanceStateInvalid: 'ResourceUnavailable',
  ActivityNotFound: 'ResourceNotFound',
  TokenNotFound: 'ResourceNotFound',
  AccessKeyNotFound: 'ResourceNotFound',
  NameConflict: 'InvalidParameterValue.GroupNameDuplicated',
  'IncorrectCapacity.MinSize': 'InvalidParameterValue.Size',
  'IncorrectCapacity.MaxSize': 'ResourceInsufficient.AutoScalingGroupAboveMaxSize',
  'IncorrectCapacity.DesiredCapacity': 'InvalidParameterValue.Size',
  QueueFull: 'ResourceUnavailable.AutoScalingGroupInActivity',
  SubnetExhausted: 'ResourceInsufficient',
  ProviderFailure: 'FailedOperation',
  LoadBalancerNotFound: 'ResourceNotFound.LoadBalancerNotFound',
  LoadBalancerInUse: 'ResourceInUse',
  ListenerPortInUse: 'InvalidParameterValue',
  DatabaseNotFound: 'ResourceNotFound',
  DatabaseInUse: 'ResourceInUse',
  AlarmNotFound: 'ResourceNotFound',
} as const satisfies Record<BillowErrorCode, string>

export const TENCENT_AUTH_ERRORS = {
  Malformed: 'AuthFailure.InvalidAuthorization',
  UnknownAccessKey: 'AuthFailure.SecretIdNotFound',
  AccessKeyDisabled: 'AuthFailure.SecretIdNotFound',
  SignatureMismatch: 'AuthFailure.SignatureFailure',
  Expired: 'AuthFailure.SignatureExpire',
  NonceReused: 'AuthFailure.SignatureFailure',
  TooManyRequests: 'RequestLimitExceeded',
  ReadOnlyAccessKey: 'AuthFailure.UnauthorizedOperation',
} as const satisfies Record<AuthFailureReason, string>

export const TENCENT_GATEWAY_ERRORS = {
  unsupportedVersion: 'NoSuchVersion',
  internal: 'InternalError',
} as const
