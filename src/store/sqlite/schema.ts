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
  scheduled_tasks: ['group_id'],
  scheduled_task_runs: ['task_id', 'occurrence_at_ms', 'phase', 'open'],
  access_keys: [],
  client_tokens: ['created_at_ms'],
  load_balancers: ['name'],
  databases: ['name'],
  alarms: ['group_id'],
  alarm_history: ['alarm_id', 'at_ms'],
  scaling_decisions: ['group_id', 'at_ms'],
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
  {
    // Scheduled tasks and their runs. The UNIQUE index is the exactly-once guarantee: a second
    // run of the same (task, occurrence, phase) cannot be recorded, whoever tries.
    version: 2,
    statements: [
      ...documentTable('scheduled_tasks', ', group_id TEXT NOT NULL', ['group_id']),
      ...documentTable(
        'scheduled_task_runs',
        ', task_id TEXT NOT NULL, occurrence_at_ms INTEGER NOT NULL, phase TEXT NOT NULL, open INTEGER NOT NULL',
        ['open'],
      ),
      'CREATE UNIQUE INDEX scheduled_task_runs_occurrence ON scheduled_task_runs (task_id, occurrence_at_ms, phase)',
    ],
  },
  {
    // Access keys for the cloud dialects' signatures, and client tokens for idempotent requests.
    version: 3,
    statements: [
      ...documentTable('access_keys', '', []),
      ...documentTable('client_tokens', ', created_at_ms INTEGER NOT NULL', ['created_at_ms']),
    ],
  },
  {
    // Load balancers and databases attached to groups; records written before them get defaults.
    version: 4,
    statements: [
      ...documentTable('load_balancers', ', name TEXT NOT NULL UNIQUE', []),
      ...documentTable('databases', ', name TEXT NOT NULL UNIQUE', []),
      `UPDATE scaling_groups SET body = json_set(body, '$.loadBalancers', json('[]'), '$.databaseIds', json('[]'),
        '$.healthCheckType', 'Provider', '$.healthCheckGracePeriodSeconds', 60) WHERE json_type(body, '$.loadBalancers') IS NULL`,
      `UPDATE instances SET body = json_set(body, '$.registeredLoadBalancerIds', json('[]'), '$.allowlistedDatabaseIds', json('[]'))
        WHERE json_type(body, '$.registeredLoadBalancerIds') IS NULL`,
    ],
  },
  {
    // Dynamic mode: metric points (raw, one a second) and their one-minute roll-ups, alarms with
    // their history, and the per-group decision log. Metric rows are plain columns, not JSON
    // bodies: there are many of them and statistics read only the value. '' stands for no group
    // or instance so the roll-ups' UNIQUE key works (NULLs are all distinct in SQLite).
    version: 5,
    statements: [
      `CREATE TABLE metric_points (namespace TEXT NOT NULL, name TEXT NOT NULL, group_id TEXT NOT NULL,
        instance_id TEXT NOT NULL, dimensions TEXT NOT NULL, at_ms INTEGER NOT NULL, value REAL NOT NULL,
        counted INTEGER NOT NULL)`,
      'CREATE INDEX metric_points_series ON metric_points (name, group_id, namespace, at_ms)',
      'CREATE INDEX metric_points_at_ms ON metric_points (at_ms)',
      `CREATE TABLE metric_rollups (namespace TEXT NOT NULL, name TEXT NOT NULL, group_id TEXT NOT NULL,
        instance_id TEXT NOT NULL, dimensions TEXT NOT NULL, counted INTEGER NOT NULL, minute_ms INTEGER NOT NULL,
        sample_count INTEGER NOT NULL, sum REAL NOT NULL, minimum REAL NOT NULL, maximum REAL NOT NULL,
        UNIQUE (name, group_id, namespace, instance_id, dimensions, counted, minute_ms))`,
      'CREATE INDEX metric_rollups_minute_ms ON metric_rollups (minute_ms)',
      ...documentTable('alarms', ', group_id TEXT NOT NULL', ['group_id']),
      ...documentTable('alarm_history', ', alarm_id TEXT NOT NULL, at_ms INTEGER NOT NULL', ['alarm_id']),
      ...documentTable('scaling_decisions', ', group_id TEXT NOT NULL, at_ms INTEGER NOT NULL', ['group_id', 'at_ms']),
    ],
  },
]

// biome-ignore lint/suspicious/noExplicitAny: the schema is created before any typed table exists
export async function migrate(db: Kysely<any>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`.execute(trx)
    // Every migration not yet recorded runs, not only those above the highest: migrations written
    // side by side may land out of order (version 3 before version 2) in one database.
    const rows = await sql<{ version: number }>`SELECT version FROM schema_version`.execute(trx)
    const applied = new Set(rows.rows.map((row) => row.version))
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue
      for (const statement of migration.statements) await sql.raw(statement).execute(trx)
      await sql`INSERT INTO schema_version (version) VALUES (${migration.version})`.execute(trx)
    }
  })
}
