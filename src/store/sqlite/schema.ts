/**
 * The SQLite schema. Each record is kept whole as a JSON body; the fields that queries filter or
 * order on are promoted to indexed columns beside it. `seq` gives insertion order, which is the
 * activity queue's order. Migrations run in order inside one transaction at open.
 */
import { type Kysely, sql } from 'kysely'

export interface DocumentColumns {
  readonly seq: number
  readonly id: string
  readonly body: string
}

/** Promoted columns, per table; the values come from the record on every insert and update. */
export const PROMOTED_COLUMNS = {
  images: ['name'],
  launch_configurations: ['image_id', 'name'],
  scaling_groups: ['launch_configuration_id', 'name'],
  scaling_rules: ['group_id'],
  instances: ['group_id', 'state', 'client_token'],
  activities: ['group_id', 'status'],
  api_tokens: ['secret_sha256'],
} as const

export type DocumentTableName = keyof typeof PROMOTED_COLUMNS

interface Migration {
  readonly version: number
  readonly statements: readonly string[]
}

const documentTable = (name: DocumentTableName, extra: string, indexes: readonly string[]): string[] => [
  `CREATE TABLE ${name} (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL${extra})`,
  ...indexes.map((column) => `CREATE INDEX ${name}_${column} ON ${name} (${column})`),
]

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    statements: [
      'CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
      ...documentTable('images', ', name TEXT NOT NULL', []),
      ...documentTable('launch_configurations', ', image_id TEXT NOT NULL, name TEXT NOT NULL', ['image_id']),
      ...documentTable('scaling_groups', ', launch_configuration_id TEXT NOT NULL, name TEXT NOT NULL UNIQUE', [
        'launch_configuration_id',
      ]),
      ...documentTable('scaling_rules', ', group_id TEXT NOT NULL', ['group_id']),
      ...documentTable('instances', ', group_id TEXT, state TEXT NOT NULL, client_token TEXT NOT NULL UNIQUE', [
        'group_id',
        'state',
      ]),
      ...documentTable('activities', ', group_id TEXT NOT NULL, status TEXT NOT NULL', ['group_id', 'status']),
      ...documentTable('api_tokens', ', secret_sha256 TEXT NOT NULL UNIQUE', []),
    ],
  },
]

// biome-ignore lint/suspicious/noExplicitAny: the schema is created before any typed table exists
export async function migrate(db: Kysely<any>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`.execute(trx)
    const row = await sql<{ version: number }>`SELECT max(version) AS version FROM schema_version`.execute(trx)
    const current = row.rows[0]?.version ?? 0
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue
      for (const statement of migration.statements) await sql.raw(statement).execute(trx)
      await sql`INSERT INTO schema_version (version) VALUES (${migration.version})`.execute(trx)
    }
  })
}
