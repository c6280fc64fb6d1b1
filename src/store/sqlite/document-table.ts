/**
 * One generic table of JSON records with promoted columns (see schema.ts). Queries are built
 * with Kysely's `sql` template so every value is a bound parameter.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely'
import type { RecordTable } from '../../ports/store.ts'
import { type DocumentTableName, PROMOTED_COLUMNS } from './schema.ts'

type ColumnValue = string | number | null
export type Condition = ColumnValue | readonly ColumnValue[] | undefined

// biome-ignore lint/suspicious/noExplicitAny: tables are addressed by name; rows are typed by the sql<> results
export type Executor = Kysely<any>

export class DocumentTable<T extends { readonly id: string }, Id extends string> implements RecordTable<T, Id> {
  readonly #db: Executor
  readonly #table: DocumentTableName
  readonly #promote: (record: T) => Readonly<Record<string, ColumnValue>>

  constructor(db: Executor, table: DocumentTableName, promote: (record: T) => Readonly<Record<string, ColumnValue>>) {
    this.#db = db
    this.#table = table
    this.#promote = promote
  }

  async get(id: Id): Promise<T | undefined> {
    return (await this.where({ id }))[0]
  }

  async insert(record: T): Promise<void> {
    const columns = this.#columnsOf(record)
    const names = Object.keys(columns)
    await sql`INSERT INTO ${sql.table(this.#table)} (${sql.join(names.map((name) => sql.ref(name)))})
      VALUES (${sql.join(names.map((name) => columns[name]))})`.execute(this.#db)
  }

  async update(record: T): Promise<void> {
    const columns = this.#columnsOf(record)
    const assignments = Object.keys(columns)
      .filter((name) => name !== 'id')
      .map((name) => sql`${sql.ref(name)} = ${columns[name]}`)
    const result =
      await sql`UPDATE ${sql.table(this.#table)} SET ${sql.join(assignments)} WHERE id = ${record.id}`.execute(this.#db)
    if (result.numAffectedRows === 0n) throw new Error(`update of missing ${this.#table} record ${record.id}`)
  }

  async delete(id: Id): Promise<void> {
    await sql`DELETE FROM ${sql.table(this.#table)} WHERE id = ${id}`.execute(this.#db)
  }

  /** Records matching every condition (null matches IS NULL; an array matches any of it), in insertion order. */
  async where(
    conditions: Readonly<Record<string, Condition>>,
    options: { newestFirst?: boolean; limit?: number } = {},
  ): Promise<T[]> {
    const clauses = Object.entries(conditions)
      .filter(([, value]) => value !== undefined)
      .map(([column, value]) => clause(column, value as Exclude<Condition, undefined>))
    const whereSql = clauses.length > 0 ? sql`WHERE ${sql.join(clauses, sql` AND `)}` : sql``
    const order = options.newestFirst ? sql`ORDER BY seq DESC` : sql`ORDER BY seq ASC`
    const limit = options.limit === undefined ? sql`` : sql`LIMIT ${options.limit}`
    const result = await sql<{
      body: string
    }>`SELECT body FROM ${sql.table(this.#table)} ${whereSql} ${order} ${limit}`.execute(this.#db)
    return result.rows.map((row) => Object.freeze(JSON.parse(row.body) as T))
  }

  async count(conditions: Readonly<Record<string, Condition>>): Promise<number> {
    const clauses = Object.entries(conditions).map(([column, value]) => clause(column, value as ColumnValue))
    const result = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(this.#table)}
      WHERE ${sql.join(clauses, sql` AND `)}`.execute(this.#db)
    return result.rows[0]?.n ?? 0
  }

  #columnsOf(record: T): Record<string, ColumnValue> {
    const promoted = this.#promote(record)
    for (const column of Object.keys(promoted)) {
      if (!(PROMOTED_COLUMNS[this.#table] as readonly string[]).includes(column)) {
        throw new Error(`${this.#table} has no promoted column ${column}`)
      }
    }
    return { id: record.id, body: JSON.stringify(record), ...promoted }
  }
}

function clause(column: string, value: Exclude<Condition, undefined>): RawBuilder<unknown> {
  if (value === null) return sql`${sql.ref(column)} IS NULL`
  if (Array.isArray(value)) {
    if (value.length === 0) return sql`0`
    return sql`${sql.ref(column)} IN (${sql.join(value)})`
  }
  return sql`${sql.ref(column)} = ${value}`
}
