/** /v1/access-keys: the id and secret pairs the ESS and Tencent SDKs sign with. */
import { z } from 'zod'
import { ACCESS_KEY_SCOPES } from '../../core/access-key.ts'
import type { AccessKeyId } from '../../core/ids.ts'
import type { Services } from '../../service/services.ts'
import { type Route, route } from './route.ts'

const createAccessKeyBody = z.strictObject({
  name: z.string().max(256),
  scope: z.enum(ACCESS_KEY_SCOPES).optional(),
})
const emptyBody = z.strictObject({})

export function accessKeyRoutes(services: Services): Route[] {
  const keyId = (params: Readonly<Record<string, string>>) => params.accessKeyId as AccessKeyId
  return [
    route({
      method: 'get',
      path: '/v1/access-keys',
      tag: 'access keys',
      summary: 'List access keys (never their secrets)',
      handle: async () => ({ accessKeys: await services.accessKeys.list() }),
    }),
    route({
      method: 'post',
      path: '/v1/access-keys',
      tag: 'access keys',
      summary: 'Create an access key for the ESS and Tencent APIs (the secret is shown once)',
      status: 201,
      body: createAccessKeyBody,
      handle: ({ body }) => services.accessKeys.create({ name: body.name, scope: body.scope ?? 'full' }),
    }),
    route({
      method: 'get',
      path: '/v1/access-keys/:accessKeyId',
      tag: 'access keys',
      summary: 'Describe an access key',
      handle: ({ params }) => services.accessKeys.get(keyId(params)),
    }),
    route({
      method: 'post',
      path: '/v1/access-keys/:accessKeyId/disable',
      tag: 'access keys',
      summary: 'Disable an access key: requests signed with it are refused',
      body: emptyBody,
      handle: ({ params }) => services.accessKeys.setStatus(keyId(params), 'Inactive'),
    }),
    route({
      method: 'post',
      path: '/v1/access-keys/:accessKeyId/enable',
      tag: 'access keys',
      summary: 'Enable a disabled access key',
      body: emptyBody,
      handle: ({ params }) => services.accessKeys.setStatus(keyId(params), 'Active'),
    }),
    route({
      method: 'delete',
      path: '/v1/access-keys/:accessKeyId',
      tag: 'access keys',
      summary: 'Delete an access key',
      status: 204,
      handle: ({ params }) => services.accessKeys.remove(keyId(params)),
    }),
  ]
}
