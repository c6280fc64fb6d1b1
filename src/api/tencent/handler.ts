/**
 * The Tencent Cloud API 3.0 front end for AS (2018-04-19). Per request, in order: verify the TC3
 * signature, refuse a replayed write, find the action (X-TC-Action) and version, refuse a
 * read-only key anything but Describe*, parse the JSON body against the action's schema, and
 * call the services. Every answer, errors included, is HTTP 200 in the Response envelope.
 *
 * TC3 has no nonce, so the signature (with the action, which it does not cover: Disable then
 * Enable of one group in the same second sign the same bytes) is the nonce of a write: a write
 * that changed something cannot be sent again while its timestamp is fresh. A write refused with
 * an error does not use its signature up, so a script may retry it at once; identical reads
 * (a tight polling loop signs the same bytes) always pass.
 */
import { BillowError, isBillowError } from '../../core/errors.ts'
import type { Clock } from '../../ports/clock.ts'
import type { Logger } from '../../ports/logger.ts'
import type { Services } from '../../service/services.ts'
import type { CloudCatalog } from '../cloud/catalog.ts'
import type { CloudCall, CloudHandler } from '../cloud/cloud-call.ts'
import { parseParams } from '../cloud/params.ts'
import { AuthFailure } from '../signature/auth-failure.ts'
import type { NonceCache } from '../signature/nonce-cache.ts'
import type { SignatureVerifier } from '../signature/verify.ts'
import { isReadOnlyAction, type TencentAction, type TencentContext } from './action.ts'
import { autoScalingActivityActions } from './actions/auto-scaling-activities.ts'
import { autoScalingGroupActions } from './actions/auto-scaling-groups.ts'
import { autoScalingInstanceActions } from './actions/auto-scaling-instances.ts'
import { launchConfigurationActions } from './actions/launch-configurations.ts'
import { loadBalancerActions } from './actions/load-balancers.ts'
import { scalingPolicyActions } from './actions/scaling-policies.ts'
import { scheduledActionActions } from './actions/scheduled-actions.ts'
import { newTencentRequestId, tencentError, tencentSuccess } from './envelope.ts'
import { TENCENT_AUTH_ERRORS, TENCENT_ERRORS, TENCENT_GATEWAY_ERRORS } from './error-codes.ts'
import { readTc3, signTc3 } from './tc3.ts'

export const TENCENT_VERSION = '2018-04-19'

export const TENCENT_ACTIONS: readonly TencentAction[] = [
  ...launchConfigurationActions,
  ...autoScalingGroupActions,
  ...autoScalingInstanceActions,
  ...scalingPolicyActions,
  ...autoScalingActivityActions,
  ...scheduledActionActions,
  ...loadBalancerActions,
]

class GatewayRefusal extends Error {
  readonly code: string
  constructor(code: string, message: string) {
    super(message)
    this.code = code
  }
}

/** Tencent spells a path 0-based, as the JSON has it: InstanceIds.0. */
const tencentFieldName = (path: readonly PropertyKey[]): string => path.map(String).join('.')

export function createTencentHandler(options: {
  readonly services: Services
  readonly catalog: CloudCatalog
  readonly verifier: SignatureVerifier
  readonly nonces: NonceCache
  readonly clock: Clock
  readonly region: string
  readonly log: Logger
  /** Extra actions (scheduled actions) registered by their own modules. */
  readonly actions?: readonly TencentAction[]
}): CloudHandler {
  const actions = new Map([...TENCENT_ACTIONS, ...(options.actions ?? [])].map((action) => [action.name, action]))
  const context: TencentContext = { services: options.services, catalog: options.catalog, region: options.region }

  return async (call) => {
    const requestId = newTencentRequestId()
    const traceId = call.headers.get('x-tc-traceid')
    let action: TencentAction | undefined
    let replayKey: string | undefined
    try {
      if (call.body === null) throw new BillowError('PayloadTooLarge', 'the request body is larger than 1 MiB')
      const claims = readTc3({
        method: call.method,
        path: call.url.pathname,
        rawQuery: call.url.search.slice(1),
        headers: (name) => call.headers.get(name) ?? undefined,
        body: call.body,
      })
      const accessKey = await options.verifier.verify({
        accessKeyId: claims.accessKeyId,
        signature: claims.signature,
        timeMs: claims.timeMs,
        stringsToSign: claims.stringsToSign,
        sign: (text, secret) => signTc3(text, { secret, date: claims.date, service: claims.service }),
        nonceKey: null,
      })
      const name = call.headers.get('x-tc-action') ?? ''
      replayKey = isReadOnlyAction(name) ? undefined : `tc3:${claims.accessKeyId}:${claims.signature}:${name}`
      if (replayKey !== undefined) refuseReplay(replayKey, claims.timeMs)
      const version = call.headers.get('x-tc-version') ?? ''
      if (version !== TENCENT_VERSION) {
        throw new GatewayRefusal(
          TENCENT_GATEWAY_ERRORS.unsupportedVersion,
          `The requested version ${version || '(none)'} is not supported; use ${TENCENT_VERSION}.`,
        )
      }
      if (name === '') throw new BillowError('MissingParameter', 'X-TC-Action: is required', { field: 'Action' })
      action = actions.get(name)
      if (!action) throw new BillowError('RouteNotFound', `The action ${name} does not exist.`)
      if (accessKey.scope === 'read-only' && !isReadOnlyAction(name)) {
        throw new AuthFailure('ReadOnlyAccessKey', `access key ${accessKey.id} is read-only; ${name} changes state`)
      }
      const parsed = parseParams(action.params, readBody(call), tencentFieldName)
      return tencentSuccess(requestId, await action.handle(parsed as never, context), traceId)
    } catch (error) {
      // Refused, so nothing changed: the same signed write may be retried. A refused replay's
      // key belongs to the request it replays, and stays.
      const replayRefused = error instanceof AuthFailure && ['NonceReused', 'TooManyRequests'].includes(error.reason)
      if (replayKey !== undefined && !replayRefused) options.nonces.forget(replayKey)
      const described = describe(error, action)
      if (described.code === TENCENT_GATEWAY_ERRORS.internal) {
        options.log.error('tencent.unexpected-error', {
          requestId,
          action: action?.name,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        })
      }
      return tencentError(requestId, described, traceId)
    }
  }

  function refuseReplay(key: string, timeMs: number): void {
    const outcome = options.nonces.remember(key, timeMs, options.clock.nowMs())
    if (outcome === 'replayed') throw new AuthFailure('NonceReused', 'this signed request was sent before (replayed)')
    if (outcome === 'full') throw new AuthFailure('TooManyRequests', 'too many signed requests; retry shortly')
  }
}

function describe(error: unknown, action: TencentAction | undefined): { code: string; message: string } {
  if (error instanceof AuthFailure) return { code: TENCENT_AUTH_ERRORS[error.reason], message: error.message }
  if (isBillowError(error)) {
    return { code: action?.errors?.[error.code] ?? TENCENT_ERRORS[error.code], message: error.message }
  }
  if (error instanceof GatewayRefusal) return { code: error.code, message: error.message }
  return { code: TENCENT_GATEWAY_ERRORS.internal, message: 'An internal error occurred; it has been logged.' }
}

/** The JSON body: an object (an empty body is `{}`). */
function readBody(call: CloudCall): unknown {
  const text = (call.body ?? Buffer.alloc(0)).toString('utf8')
  if (text.trim() === '') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new BillowError('MalformedRequest', 'the body is not valid JSON', { cause: error })
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new BillowError('MalformedRequest', 'the body must be a JSON object')
  }
  return parsed
}
