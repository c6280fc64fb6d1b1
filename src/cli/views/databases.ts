/** How databases read in tables and describe views. The API never shows the admin password. */
import type { DatabaseView } from '../api-types.ts'
import { renderFields, renderTable } from '../table.ts'
import { formatAge, formatTimeWithAge } from '../time-format.ts'

export function renderDatabaseTable(databases: readonly DatabaseView[], nowMs: number): string {
  return renderTable(
    ['id', 'name', 'engine', 'endpoint', 'admin user', 'client user', 'client database', 'groups', 'age'],
    databases.map((database) => [
      database.id,
      database.name,
      database.engine,
      `${database.host}:${database.port}`,
      database.adminUser,
      database.clientUser,
      database.clientDatabase,
      database.groupIds.length,
      formatAge(database.createdAtMs, nowMs),
    ]),
  )
}

export function renderDatabase(database: DatabaseView, nowMs: number): string {
  return renderFields([
    ['id', database.id],
    ['name', database.name],
    ['engine', database.engine],
    ['endpoint', `${database.host}:${database.port}`],
    ['admin user', database.adminUser],
    ['admin password', 'set (never shown)'],
    ['client user', database.clientUser],
    ['client database', database.clientDatabase],
    ['groups', database.groupIds.length > 0 ? database.groupIds.join(', ') : 'none attach it'],
    ['created', formatTimeWithAge(database.createdAtMs, nowMs)],
  ])
}
