/**
 * Billow's error codes as ESS says them, with the HTTP status: the clouds' own codes where they
 * exist (docs/api-ess.md lists them). The compiler checks both maps are total. An action may
 * name a more precise code for a Billow code (DeleteScalingRule: InvalidScalingRuleId.NotFound).
 *
 * Status matters to Darabonba (it throws on >= 400 only) and not to pop-core (it throws on a body
 * with Code); every error therefore has both a 4xx/5xx status and a Code.
 */
import type { BillowErrorCode } from '../../core/errors.ts'
import type { AuthFailureReason } from '../signature/auth-failure.ts'

export interface EssError {
  readonly code: string
  readonly status: 400 | 403 | 404 | 413 | 500 | 503
}

const e = (code: string, status: EssError['status'] = 400): EssError => ({ code, status })

export const ESS_ERRORS = {
  InvalidParameterValue: e('InvalidParameter'),
  MissingParameter: e('MissingParameter'),
  UnknownParameter: e('UnknownParameter'),
  MalformedRequest: e('InvalidParameter'),
  PayloadTooLarge: e('InvalidParameter.RequestTooLarge', 413),
  Unauthenticated: e('IncompleteSignature'),
  Forbidden: e('Forbidden.Unauthorized', 403),
  RouteNotFound: e('InvalidAction.NotFound', 404),
  ImageNotFound: e('InvalidImageId.NotFound', 404),
  ImageInUse: e('OperationDenied.ImageInUse'),
  LaunchConfigurationNotFound: e('InvalidScalingConfigurationId.NotFound', 404),
  LaunchConfigurationInUse: e('IncorrectScalingConfigurationLifecycleState'),
  LaunchConfigurationMissing: e('MissingActiveScalingConfiguration'),
  ScalingGroupNotFound: e('InvalidScalingGroupId.NotFound', 404),
  ScalingGroupNotEmpty: e('InstanceInUse'),
  ScalingGroupNotActive: e('IncorrectScalingGroupStatus'),
  ScalingRuleNotFound: e('InvalidScalingRuleAri.NotFound', 404),
  ScheduledTaskNotFound: e('InvalidScheduledTaskId.NotFound', 404),
  'QuotaExceeded.ScheduledTask': e('QuotaExceeded.ScheduledTask'),
  InstanceNotFound: e('InvalidInstanceId.NotFound', 404),
  InstanceStateInvalid: e('IncorrectInstanceStatus'),
  ActivityNotFound: e('InvalidScalingActivityId.NotFound', 404),
  TokenNotFound: e('InvalidTokenId.NotFound', 404),
  AccessKeyNotFound: e('InvalidAccessKeyId.NotFound', 404),
  NameConflict: e('InvalidScalingGroupName.Duplicate'),
  'IncorrectCapacity.MinSize': e('InvalidParameter.Conflict'),
  'IncorrectCapacity.MaxSize': e('IncorrectCapacity.MaxSize'),
  'IncorrectCapacity.DesiredCapacity': e('InvalidParameter.Conflict'),
  QueueFull: e('ScalingActivityInProgress'),
  SubnetExhausted: e('InvalidVSwitchId.IpNotEnough'),
  ProviderFailure: e('ServiceUnavailable', 503),
  LoadBalancerNotFound: e('InvalidLoadBalancerId.NotFound', 404),
  LoadBalancerInUse: e('OperationDenied.LoadBalancerInUse'),
  ListenerPortInUse: e('InvalidParameter.ListenerPortInUse'),
  DatabaseNotFound: e('InvalidDBInstanceId.NotFound', 404),
  DatabaseInUse: e('OperationDenied.DBInstanceInUse'),
  AlarmNotFound: e('InvalidAlarmTaskId.NotFound', 404),
} as const satisfies Record<BillowErrorCode, EssError>

/** The POP gateway's answers to requests it does not let through (shared/wire-protocols.md §1.7). */
export const ESS_AUTH_ERRORS = {
  Malformed: e('IncompleteSignature'),
  UnknownAccessKey: e('InvalidAccessKeyId.NotFound', 404),
  AccessKeyDisabled: e('InvalidAccessKeyId.Inactive'),
  SignatureMismatch: e('SignatureDoesNotMatch'),
  Expired: e('InvalidTimeStamp.Expired'),
  NonceReused: e('SignatureNonceUsed'),
  TooManyRequests: e('Throttling'),
  ReadOnlyAccessKey: e('Forbidden.Unauthorized', 403),
} as const satisfies Record<AuthFailureReason, EssError>

/** Gateway errors that are neither Billow's nor authentication's. */
export const ESS_GATEWAY_ERRORS = {
  unsupportedVersion: e('InvalidVersion'),
  internal: e('InternalError', 500),
} as const
