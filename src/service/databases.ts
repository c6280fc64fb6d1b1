import { DATABASE_ENGINES, type Database } from '../core/database.ts'
import { BillowError } from '../core/errors.ts'
import type { DatabaseId } from '../core/ids.ts'
import type { Collections } from '../ports/store.ts'
import type { ServiceContext } from './context.ts'
import { invalid, notFound, requireIntegerIn, requireName } from './validate.ts'

export interface DatabaseInput {
  readonly name: string
  readonly engine: Database['engine']
  readonly host: string
  readonly port: number
  readonly adminUser: string
  readonly adminPassword: string
  readonly clientUser: string
  readonly clientDatabase?: string
}

/** What the API shows of a database: everything but the administrator's password. */
export type DatabaseView = Omit<Database, 'adminPassword'> & { readonly groupIds: readonly string[] }

/** Database attachments: endpoints whose IP allowlist follows the groups that attach them. */
export function databaseService(context: ServiceContext) {
  const { store } = context

  async function view(tx: Collections, database: Database): Promise<DatabaseView> {
    const { adminPassword: _, ...rest } = database
    const groupIds = (await tx.groups.list())
      .filter((group) => group.databaseIds.includes(database.id))
      .map((group) => group.id)
    return { ...rest, groupIds }
  }

  return {
    list: () =>
      store.transaction(async (tx) => Promise.all((await tx.databases.list()).map((database) => view(tx, database)))),

    get: (id: DatabaseId) =>
      store.transaction(async (tx) =>
        view(tx, (await tx.databases.get(id)) ?? notFound('DatabaseNotFound', 'database', id)),
      ),

    create: (input: DatabaseInput) =>
      store.transaction(async (tx) => {
        const record: Database = {
          id: context.ids.next('database') as DatabaseId,
          name: input.name,
          engine: input.engine,
          host: input.host,
          port: input.port,
          adminUser: input.adminUser,
          adminPassword: input.adminPassword,
          clientUser: input.clientUser,
          clientDatabase: input.clientDatabase ?? 'all',
          createdAtMs: context.clock.nowMs(),
        }
        await validate(tx, record)
        await tx.databases.insert(record)
        return view(tx, record)
      }),

    /** Changes apply to allowlist changes from now on; addresses already allowed stay. */
    modify: (id: DatabaseId, changes: Partial<DatabaseInput>) =>
      store.transaction(async (tx) => {
        const current = (await tx.databases.get(id)) ?? notFound('DatabaseNotFound', 'database', id)
        if (changes.engine !== undefined && changes.engine !== current.engine) invalid('engine', 'cannot change')
        const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined))
        const record: Database = { ...current, ...defined }
        await validate(tx, record)
        await tx.databases.update(record)
        return view(tx, record)
      }),

    remove: (id: DatabaseId) =>
      store.transaction(async (tx) => {
        if (!(await tx.databases.get(id))) notFound('DatabaseNotFound', 'database', id)
        const users = (await tx.groups.list()).filter((group) => group.databaseIds.includes(id))
        if (users.length > 0) {
          throw new BillowError(
            'DatabaseInUse',
            `database ${id} is attached to ${users.map((group) => group.id).join(', ')}`,
          )
        }
        await tx.databases.delete(id)
      }),
  }
}

async function validate(tx: Collections, record: Database): Promise<void> {
  requireName('name', record.name)
  const sameName = await tx.databases.findByName(record.name)
  if (sameName && sameName.id !== record.id) {
    throw new BillowError('NameConflict', `name: a database named "${record.name}" exists (${sameName.id})`, {
      field: 'name',
    })
  }
  if (!DATABASE_ENGINES.includes(record.engine)) invalid('engine', `unknown; one of ${DATABASE_ENGINES.join(', ')}`)
  if (!/^[A-Za-z0-9.-]{1,253}$/.test(record.host)) invalid('host', 'must be a host name or IPv4 address')
  requireIntegerIn('port', record.port, 1, 65_535)
  for (const field of ['adminUser', 'clientUser', 'clientDatabase'] as const) {
    if (!/^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/.test(record[field])) invalid(field, 'must be a plain identifier')
  }
  if (record.adminPassword.length === 0 || record.adminPassword.length > 256)
    invalid('adminPassword', 'must be 1 to 256 characters')
}
