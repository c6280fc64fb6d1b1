/**
 * Access keys for the cloud dialects. The secret is shown once, at creation; the store keeps it
 * sealed (secret-box.ts) because verifying an HMAC signature needs the secret itself, and only
 * the signature verifiers ever open it (`credentialsFor`). Lists never carry it.
 */
import { randomBytes } from 'node:crypto'
import { ACCESS_KEY_SCOPES, type AccessKey, type AccessKeyScope, type AccessKeyStatus } from '../core/access-key.ts'
import { BillowError } from '../core/errors.ts'
import { type AccessKeyId, hasIdShape } from '../core/ids.ts'
import type { ServiceContext } from './context.ts'
import type { SecretBox } from './secret-box.ts'
import { invalid, notFound, requireName } from './validate.ts'

/** 30 random bytes: 240 bits, written as 40 base64url characters (never `&`, which ESS 1.0 uses as a separator). */
const SECRET_BYTES = 30
/** Keys one installation holds at most; each is a credential to audit, not a session. */
export const ACCESS_KEYS_MAX = 200

export type AccessKeyView = Omit<AccessKey, 'sealedSecret'>

export interface AccessKeyCredentials {
  readonly accessKey: AccessKeyView
  /** In clear: for computing an HMAC, never for logging or answering. */
  readonly secret: string
}

export function accessKeyService(context: ServiceContext, box: SecretBox) {
  const { store } = context
  const view = ({ sealedSecret: _, ...rest }: AccessKey): AccessKeyView => rest
  const load = async (id: AccessKeyId): Promise<AccessKey> =>
    (await store.accessKeys.get(id)) ?? notFound('AccessKeyNotFound', 'access key', id)

  return {
    list: async () => (await store.accessKeys.list()).map(view),

    get: async (id: AccessKeyId) => view(await load(id)),

    create: (input: { name: string; scope: AccessKeyScope }) =>
      store.transaction(async (tx) => {
        requireName('name', input.name)
        if (!ACCESS_KEY_SCOPES.includes(input.scope)) invalid('scope', `one of ${ACCESS_KEY_SCOPES.join(', ')}`)
        if ((await tx.accessKeys.list()).length >= ACCESS_KEYS_MAX) {
          throw new BillowError('InvalidParameterValue', `an installation holds at most ${ACCESS_KEYS_MAX} access keys`)
        }
        const id = context.ids.next('accessKey') as AccessKeyId
        const secret = randomBytes(SECRET_BYTES).toString('base64url')
        const accessKey: AccessKey = {
          id,
          name: input.name,
          scope: input.scope,
          status: 'Active',
          sealedSecret: box.seal(secret, id),
          createdAtMs: context.clock.nowMs(),
        }
        await tx.accessKeys.insert(accessKey)
        return { accessKey: view(accessKey), secret }
      }),

    setStatus: (id: AccessKeyId, status: AccessKeyStatus) =>
      store.transaction(async (tx) => {
        const current = (await tx.accessKeys.get(id)) ?? notFound('AccessKeyNotFound', 'access key', id)
        const next: AccessKey = { ...current, status }
        await tx.accessKeys.update(next)
        return view(next)
      }),

    remove: (id: AccessKeyId) =>
      store.transaction(async (tx) => {
        if (!(await tx.accessKeys.get(id))) notFound('AccessKeyNotFound', 'access key', id)
        await tx.accessKeys.delete(id)
      }),

    /** The key named by a signed request, with its secret; undefined when there is no such key. */
    async credentialsFor(id: string): Promise<AccessKeyCredentials | undefined> {
      if (!hasIdShape('accessKey', id)) return undefined
      const accessKey = await store.accessKeys.get(id as AccessKeyId)
      if (!accessKey) return undefined
      return { accessKey: view(accessKey), secret: box.open(accessKey.sealedSecret, accessKey.id) }
    },
  }
}
