/**
 * The ESS RPC front end: one handler for every action. Per request, in order: read the
 * parameters (query ∪ form body), verify the signature (1.0 or V3), find the action and the
 * version, refuse a read-only key anything but Describe*, check the parameters against the
 * action's schema, and call the services. Every failure is answered in the ESS error envelope.
 */
import { BillowError, isBillowError } from '../../core/errors.ts'
import type { Logger } from '../../ports/logger.ts'
import type { Services } from '../../service/services.ts'
import type { CloudCatalog } from '../cloud/catalog.ts'
import type { CloudCall, CloudHandler } from '../cloud/cloud-call.ts'
import { parseParams } from '../cloud/params.ts'
import { ORIGINAL_HOST_HEADER } from '../host-header.ts'
import { AuthFailure } from '../signature/auth-failure.ts'
import type { SignatureCheck, SignatureVerifier } from '../signature/verify.ts'
import { type EssAction, type EssContext, isReadOnlyAction } from './action.ts'
import { alarmActions } from './actions/alarms.ts'
import { attachmentActions } from './actions/attachments.ts'
import { scalingActivityActions } from './actions/scaling-activities.ts'
import { scalingConfigurationActions } from './actions/scaling-configurations.ts'
import { scalingGroupActions } from './actions/scaling-groups.ts'
import { scalingInstanceActions } from './actions/scaling-instances.ts'
import { scalingRuleActions } from './actions/scaling-rules.ts'
import { scheduledTaskActions } from './actions/scheduled-tasks.ts'
import { essError, essSuccess, newEssRequestId } from './envelope.ts'
import { ESS_AUTH_ERRORS, ESS_ERRORS, ESS_GATEWAY_ERRORS, type EssError } from './error-codes.ts'
import { essFieldName, unflattenParams } from './flat-params.ts'
import { readSignatureV1, signV1 } from './signature-v1.ts'
import { ACS3_ALGORITHM, readSignatureV3, signV3 } from './signature-v3.ts'

export const ESS_VERSIONS = ['2014-08-28', '2022-02-22'] as const
/** No ESS action takes more; more is a request built to cost us work. */
export const ESS_PARAMS_MAX = 500

/** Parameters of the protocol, not of any action: the signature's, and those every action accepts and Billow ignores. */
const COMMON_PARAMS = new Set([
  'Action',
  'Version',
  'Format',
  'AccessKeyId',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'SignatureType',
  'Timestamp',
  'Signature',
  'SecurityToken',
  'RegionId',
  'OwnerId',
  'OwnerAccount',
  'ResourceOwnerAccount',
  'ResourceOwnerId',
])
const REGION_PATTERN = /^[a-z][a-z0-9-]{0,63}$/

export const ESS_ACTIONS: readonly EssAction[] = [
  ...scalingGroupActions,
  ...scalingConfigurationActions,
  ...scalingRuleActions,
  ...scalingInstanceActions,
  ...scalingActivityActions,
  ...scheduledTaskActions,
  ...alarmActions,
  ...attachmentActions,
]

/** A refusal that is neither a Billow error nor an authentication failure (an unknown version). */
class GatewayRefusal extends Error {
  readonly error: EssError
  constructor(error: EssError, message: string) {
    super(message)
    this.error = error
  }
}

export function createEssHandler(options: {
  readonly services: Services
  readonly catalog: CloudCatalog
  readonly verifier: SignatureVerifier
  readonly region: string
  readonly accountId: string
  readonly log: Logger
  /** Extra actions (scheduled tasks, alarms) registered by their own modules. */
  readonly actions?: readonly EssAction[]
}): CloudHandler {
  const actions = new Map([...ESS_ACTIONS, ...(options.actions ?? [])].map((action) => [action.name, action]))

  return async (call) => {
    const requestId = newEssRequestId()
    const hostId = call.headers.get('host') ?? 'billow'
    let action: EssAction | undefined
    try {
      const params = readParams(call)
      const v3 = (call.headers.get('authorization') ?? '').startsWith(ACS3_ALGORITHM)
      const accessKey = await options.verifier.verify(v3 ? checkV3(call) : checkV1(call, params))
      const name = (v3 ? call.headers.get('x-acs-action') : params.get('Action')) ?? params.get('Action') ?? ''
      const version = (v3 ? call.headers.get('x-acs-version') : params.get('Version')) ?? params.get('Version')
      if (!(ESS_VERSIONS as readonly (string | undefined | null)[]).includes(version)) {
        throw new GatewayRefusal(
          ESS_GATEWAY_ERRORS.unsupportedVersion,
          `Version "${version ?? ''}" is not supported; use ${ESS_VERSIONS.join(' or ')}`,
        )
      }
      action = actions.get(name)
      if (!action)
        throw new BillowError(
          'RouteNotFound',
          `Specified api "${name}" is not found, please check your url and method.`,
        )
      if (accessKey.scope === 'read-only' && !isReadOnlyAction(name)) {
        throw new AuthFailure('ReadOnlyAccessKey', `access key ${accessKey.id} is read-only; ${name} changes state`)
      }
      const region = params.get('RegionId')
      if (region !== undefined && !REGION_PATTERN.test(region)) {
        throw new BillowError('InvalidParameterValue', `RegionId: "${region}" is not a region id`, {
          field: 'RegionId',
        })
      }
      const business = new Map([...params].filter(([key]) => !COMMON_PARAMS.has(key)))
      const parsed = parseParams(action.params, unflattenParams(business), essFieldName)
      const context: EssContext = {
        services: options.services,
        catalog: options.catalog,
        region: options.region,
        accountId: options.accountId,
        host: hostId,
      }
      return essSuccess(requestId, await action.handle(parsed as never, context))
    } catch (error) {
      const { error: mapped, message } = describe(error, action)
      if (mapped.status >= 500) {
        options.log.error('ess.unexpected-error', {
          requestId,
          action: action?.name,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        })
      }
      return essError({ requestId, hostId, code: mapped.code, message, status: mapped.status })
    }
  }
}

function describe(error: unknown, action: EssAction | undefined): { error: EssError; message: string } {
  if (error instanceof AuthFailure) {
    const message =
      error.reason === 'SignatureMismatch'
        ? error.message.replace(
            /^the signature does not match; the string to sign is: /,
            'Specified signature is not matched with our calculation. server string to sign is:',
          )
        : error.message
    return { error: ESS_AUTH_ERRORS[error.reason], message }
  }
  if (isBillowError(error))
    return { error: action?.errors?.[error.code] ?? ESS_ERRORS[error.code], message: error.message }
  if (error instanceof GatewayRefusal) return { error: error.error, message: error.message }
  return { error: ESS_GATEWAY_ERRORS.internal, message: 'The request processing has failed due to some unknown error.' }
}

/** Query ∪ form body, each name once; pop-core sends the form, Darabonba the query. */
function readParams(call: CloudCall): Map<string, string> {
  if (call.body === null) throw new BillowError('PayloadTooLarge', 'the request body is too large')
  const params = new Map<string, string>()
  const add = (source: URLSearchParams) => {
    for (const [name, value] of source) {
      if (params.has(name)) {
        throw new BillowError('MalformedRequest', `${name}: is given more than once`, { field: name })
      }
      params.set(name, value)
      if (params.size > ESS_PARAMS_MAX)
        throw new BillowError('MalformedRequest', `more than ${ESS_PARAMS_MAX} parameters`)
    }
  }
  add(call.url.searchParams)
  if (call.body.length > 0) {
    const type = call.headers.get('content-type') ?? ''
    if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      throw new BillowError('MalformedRequest', 'a request body must be application/x-www-form-urlencoded')
    }
    add(new URLSearchParams(call.body.toString('utf8')))
  }
  return params
}

function checkV1(call: CloudCall, params: ReadonlyMap<string, string>): SignatureCheck {
  const claims = readSignatureV1(call.method, params)
  return {
    accessKeyId: claims.accessKeyId,
    signature: claims.signature,
    timeMs: claims.timeMs,
    stringsToSign: [claims.stringToSign],
    sign: signV1,
    nonceKey: `ess:${claims.accessKeyId}:${claims.nonce}`,
  }
}

function checkV3(call: CloudCall): SignatureCheck {
  const query = new Map(call.url.searchParams)
  const claims = readSignatureV3({
    method: call.method,
    path: call.path,
    query,
    // The Host as the client sent and signed it, path and all (host-header.ts).
    headers: (name) =>
      (name === 'host' ? call.headers.get(ORIGINAL_HOST_HEADER) : null) ?? call.headers.get(name) ?? undefined,
    body: call.body ?? Buffer.alloc(0),
  })
  return {
    accessKeyId: claims.accessKeyId,
    signature: claims.signature,
    timeMs: claims.timeMs,
    stringsToSign: claims.stringsToSign,
    sign: signV3,
    nonceKey: `ess:${claims.accessKeyId}:${claims.nonce}`,
  }
}
