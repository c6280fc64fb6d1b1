/**
 * Databases whose IP allowlist follows a group: an instance's private IP is allowed before it
 * goes InService and revoked after it is terminated. Drivers: allowlists/postgres (a managed
 * block in pg_hba.conf, applied with pg_reload_conf()) and allowlists/mysql (per-IP accounts).
 */
import type { DatabaseId } from './ids.ts'

export const DATABASE_ENGINES = ['postgres', 'mysql'] as const
export type DatabaseEngine = (typeof DATABASE_ENGINES)[number]

export interface Database {
  readonly id: DatabaseId
  readonly name: string
  readonly engine: DatabaseEngine
  /** Where Billow connects as an administrator to change the allowlist. */
  readonly host: string
  readonly port: number
  readonly adminUser: string
  /** Never logged, never returned by the API. */
  readonly adminPassword: string
  /** The role (postgres) or user (mysql) the instances connect as; the allowlist is for it. */
  readonly clientUser: string
  /** postgres: the database the instances may connect to ('all' for any). */
  readonly clientDatabase: string
  readonly createdAtMs: number
}

/** The parts of a Database an allowlist driver needs (no id or times). */
export type DatabaseEndpoint = Omit<Database, 'id' | 'name' | 'createdAtMs'> & { readonly id: DatabaseId }
