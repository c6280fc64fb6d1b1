/**
 * The embedded store: one SQLite file (better-sqlite3 under Kysely), or `:memory:` for engine
 * tests and the simulator. WAL mode: readers do not block the writer, and a committed
 * transaction survives the process being killed.
 */
import Database from 'better-sqlite3'
import { Kysely, SqliteDialect, sql } from 'kysely'
import type { AccessKey } from '../../core/access-key.ts'
import type { ClientTokenRecord } from '../../core/client-token.ts'
import type { Database as DatabaseRecord } from '../../core/database.ts'
import type {
  AccessKeyId,
  ActivityId,
  DatabaseId,
  ImageId,
  InstanceId,
  LaunchConfigurationId,
  LoadBalancerId,
  ScalingGroupId,
  ScalingRuleId,
  TokenId,
} from '../../core/ids.ts'
import type { LoadBalancer } from '../../core/load-balancer.ts'
import type {
  Activity,
  ApiToken,
  Image,
  Instance,
  LaunchConfiguration,
  ScalingGroup,
  ScalingRule,
} from '../../core/types.ts'
import type { Collections, Store } from '../../ports/store.ts'
import { DocumentTable, type Executor } from './document-table.ts'
import { metricCollections } from './metric-tables.ts'
import { scheduledTaskCollections } from './scheduled-task-tables.ts'
import { migrate } from './schema.ts'

/** How long a writer waits for SQLite's lock before failing, in milliseconds. */
const BUSY_TIMEOUT_MS = 5_000

export async function openSqliteStore(path: string): Promise<Store> {
  const database = new Database(path)
  database.pragma('journal_mode = WAL')
  database.pragma('synchronous = NORMAL')
  database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
  database.pragma('foreign_keys = ON')
  const db: Executor = new Kysely({ dialect: new SqliteDialect({ database }) })
  await migrate(db)
  return {
    ...collections(db),
    transaction: (work) => db.transaction().execute((trx) => work(collections(trx))),
    close: () => db.destroy(),
  }
}

function collections(db: Executor): Collections {
  const images = new DocumentTable<Image, ImageId>(db, 'images', (r) => ({ name: r.name }))
  const launchConfigurations = new DocumentTable<LaunchConfiguration, LaunchConfigurationId>(
    db,
    'launch_configurations',
    (r) => ({ image_id: r.imageId, name: r.name }),
  )
  const groups = new DocumentTable<ScalingGroup, ScalingGroupId>(db, 'scaling_groups', (r) => ({
    // The column predates groups without one (ESS makes the group first): '' stands for none.
    launch_configuration_id: r.launchConfigurationId ?? '',
    name: r.name,
  }))
  const rules = new DocumentTable<ScalingRule, ScalingRuleId>(db, 'scaling_rules', (r) => ({ group_id: r.groupId }))
  const instances = new DocumentTable<Instance, InstanceId>(db, 'instances', (r) => ({
    group_id: r.groupId,
    state: r.state,
    client_token: r.clientToken,
  }))
  const activities = new DocumentTable<Activity, ActivityId>(db, 'activities', (r) => ({
    group_id: r.groupId,
    status: r.status,
  }))
  const tokens = new DocumentTable<ApiToken, TokenId>(db, 'api_tokens', (r) => ({ secret_sha256: r.secretSha256 }))
  const accessKeys = new DocumentTable<AccessKey, AccessKeyId>(db, 'access_keys', () => ({}))
  const clientTokens = new DocumentTable<ClientTokenRecord, string>(db, 'client_tokens', (r) => ({
    created_at_ms: r.createdAtMs,
  }))
  const loadBalancers = new DocumentTable<LoadBalancer, LoadBalancerId>(db, 'load_balancers', (r) => ({ name: r.name }))
  const databases = new DocumentTable<DatabaseRecord, DatabaseId>(db, 'databases', (r) => ({ name: r.name }))
  return {
    images: Object.assign(images, { list: () => images.where({}) }),
    launchConfigurations: Object.assign(launchConfigurations, {
      list: () => launchConfigurations.where({}),
      countUsingImage: (imageId: ImageId) => launchConfigurations.count({ image_id: imageId }),
    }),
    groups: Object.assign(groups, {
      list: () => groups.where({}),
      findByName: async (name: string) => (await groups.where({ name }))[0],
      countUsingLaunchConfiguration: (id: LaunchConfigurationId) => groups.count({ launch_configuration_id: id }),
    }),
    rules: Object.assign(rules, {
      list: (filter: { groupId?: ScalingGroupId }) => rules.where({ group_id: filter.groupId }),
    }),
    instances: Object.assign(instances, {
      list: (filter: { groupId?: ScalingGroupId | null; states?: readonly string[] }) =>
        instances.where({ group_id: filter.groupId, state: filter.states }),
      findByClientToken: async (clientToken: string) => (await instances.where({ client_token: clientToken }))[0],
    }),
    activities: Object.assign(activities, {
      countWithStatus: (status: string) => activities.count({ status }),
      list: (filter: {
        groupId?: ScalingGroupId
        statuses?: readonly string[]
        newestFirst?: boolean
        limit?: number
      }) =>
        activities.where(
          { group_id: filter.groupId, status: filter.statuses },
          { newestFirst: filter.newestFirst, limit: filter.limit },
        ),
    }),
    tokens: Object.assign(tokens, {
      list: () => tokens.where({}),
      findBySecretSha256: async (hash: string) => (await tokens.where({ secret_sha256: hash }))[0],
    }),
    ...scheduledTaskCollections(db),
    ...metricCollections(db),
    accessKeys: Object.assign(accessKeys, { list: () => accessKeys.where({}) }),
    clientTokens: Object.assign(clientTokens, {
      deleteCreatedBefore: async (createdBeforeMs: number) => {
        const result = await sql`DELETE FROM client_tokens WHERE created_at_ms < ${createdBeforeMs}`.execute(db)
        return Number(result.numAffectedRows ?? 0n)
      },
    }),
    loadBalancers: Object.assign(loadBalancers, {
      list: () => loadBalancers.where({}),
      findByName: async (name: string) => (await loadBalancers.where({ name }))[0],
    }),
    databases: Object.assign(databases, {
      list: () => databases.where({}),
      findByName: async (name: string) => (await databases.where({ name }))[0],
    }),
    meta: {
      get: async (key) =>
        (await sql<{ value: string }>`SELECT value FROM meta WHERE key = ${key}`.execute(db)).rows[0]?.value,
      set: async (key, value) => {
        await sql`INSERT INTO meta (key, value) VALUES (${key}, ${value})
          ON CONFLICT (key) DO UPDATE SET value = excluded.value`.execute(db)
      },
    },
  }
}
