/**
 * Everything that answers on the server's one port: the native REST API and the cloud dialects
 * over the same services, with the signature machinery they share (one replay memory for both
 * clouds: a nonce is a nonce).
 */
import type { Clock } from '../ports/clock.ts'
import type { Logger } from '../ports/logger.ts'
import type { Services } from '../service/services.ts'
import type { CloudCatalog } from './cloud/catalog.ts'
import { createDispatcher } from './dispatch.ts'
import { createEssHandler } from './ess/handler.ts'
import { NonceCache } from './signature/nonce-cache.ts'
import { createSignatureVerifier } from './signature/verify.ts'
import { createTencentHandler } from './tencent/handler.ts'

export function createFrontDoor(options: {
  readonly services: Services
  readonly rest: (request: Request) => Response | Promise<Response>
  readonly catalog: CloudCatalog
  readonly clock: Clock
  readonly log: Logger
  readonly region: string
  readonly accountId: string
}): (request: Request) => Response | Promise<Response> {
  const nonces = new NonceCache()
  const verifier = createSignatureVerifier({
    credentialsFor: (accessKeyId) => options.services.accessKeys.credentialsFor(accessKeyId),
    nonces,
    clock: options.clock,
  })
  const shared = {
    services: options.services,
    catalog: options.catalog,
    verifier,
    region: options.region,
    accountId: options.accountId,
    log: options.log,
  }
  return createDispatcher({
    rest: options.rest,
    ess: createEssHandler(shared),
    tencent: createTencentHandler({ ...shared, nonces, clock: options.clock }),
  })
}
