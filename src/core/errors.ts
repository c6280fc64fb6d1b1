/**
 * The one catalog of expected failures. Only `api/*` turns a code into an HTTP status or a
 * cloud dialect's error code, and each dialect maps every code (checked by the compiler with
 * `satisfies Record<BillowErrorCode, …>`). A broken invariant is not a BillowError: it is a bug
 * and fails an assertion.
 */
export const BILLOW_ERROR_CODES = [
  'InvalidParameterValue',
  'MissingParameter',
  'UnknownParameter',
  'MalformedRequest',
  'PayloadTooLarge',
  'Unauthenticated',
  'Forbidden',
  'RouteNotFound',
  'ImageNotFound',
  'ImageInUse',
  'LaunchConfigurationNotFound',
  'LaunchConfigurationInUse',
  'LaunchConfigurationMissing',
  'ScalingGroupNotFound',
  'ScalingGroupNotEmpty',
  'ScalingGroupNotActive',
  'ScalingRuleNotFound',
  'ScheduledTaskNotFound',
  'QuotaExceeded.ScheduledTask',
  'InstanceNotFound',
  'InstanceStateInvalid',
  'ActivityNotFound',
  'TokenNotFound',
  'AccessKeyNotFound',
  'NameConflict',
  'IncorrectCapacity.MinSize',
  'IncorrectCapacity.MaxSize',
  'IncorrectCapacity.DesiredCapacity',
  'QueueFull',
  'SubnetExhausted',
  'ProviderFailure',
  'LoadBalancerNotFound',
  'LoadBalancerInUse',
  'ListenerPortInUse',
  'DatabaseNotFound',
  'DatabaseInUse',
  'AlarmNotFound',
] as const

export type BillowErrorCode = (typeof BILLOW_ERROR_CODES)[number]

export class BillowError extends Error {
  override readonly name = 'BillowError'
  readonly code: BillowErrorCode
  /** The request field the error is about, as a dotted path (`zones.0.subnet`), when there is one. */
  readonly field: string | undefined

  constructor(code: BillowErrorCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.field = options.field
  }
}

export const isBillowError = (error: unknown): error is BillowError => error instanceof BillowError

/** For bugs: a broken invariant stops the program rather than corrupting state. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`)
}
