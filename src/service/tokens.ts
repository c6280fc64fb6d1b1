import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { TokenId } from '../core/ids.ts'
import type { ApiToken, TokenScope } from '../core/types.ts'
import type { ServiceContext } from './context.ts'
import { notFound, requireName } from './validate.ts'

/** Bytes of randomness in a secret: 256 bits, as much as the SHA-256 that stores it. */
const SECRET_BYTES = 32
export const SECRET_PREFIX = 'blw_'

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex')

export const newSecret = (): string => `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64url')}`

export type Caller = { readonly kind: 'admin' } | { readonly kind: 'token'; readonly token: ApiToken }

/**
 * API tokens: created by an admin, the secret shown once, only its SHA-256 kept. The admin token
 * (generated at first start, in the data directory) is compared in constant time.
 */
export function tokenService(context: ServiceContext, adminSecret: string) {
  const adminHash = Buffer.from(sha256Hex(adminSecret), 'hex')
  const view = ({ secretSha256: _, ...rest }: ApiToken) => rest
  return {
    list: async () => (await context.store.tokens.list()).map(view),

    async create(input: { name: string; scope: TokenScope }) {
      requireName('name', input.name)
      const secret = newSecret()
      const token: ApiToken = {
        id: context.ids.next('token') as TokenId,
        name: input.name,
        scope: input.scope,
        secretSha256: sha256Hex(secret),
        createdAtMs: context.clock.nowMs(),
      }
      await context.store.tokens.insert(token)
      return { token: view(token), secret }
    },

    async remove(id: TokenId): Promise<void> {
      if (!(await context.store.tokens.get(id))) notFound('TokenNotFound', 'token', id)
      await context.store.tokens.delete(id)
    },

    /** Who presents this secret, if anyone. */
    async authenticate(secret: string): Promise<Caller | undefined> {
      const hash = sha256Hex(secret)
      if (timingSafeEqual(Buffer.from(hash, 'hex'), adminHash)) return { kind: 'admin' }
      const token = await context.store.tokens.findBySecretSha256(hash)
      return token ? { kind: 'token', token } : undefined
    },
  }
}
