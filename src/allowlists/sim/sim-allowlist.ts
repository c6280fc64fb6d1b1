/**
 * An allowlist for the virtual world: a set of addresses per database, and a switch that makes a
 * database unreachable, for the failure paths. No I/O.
 */
import type { DatabaseEndpoint } from '../../core/database.ts'
import type { DatabaseId } from '../../core/ids.ts'
import type { DatabaseAllowlist } from '../../ports/database-allowlist.ts'
import { AllowlistError } from '../../ports/database-allowlist.ts'

export class SimAllowlist implements DatabaseAllowlist {
  readonly engine = 'postgres' as const
  readonly #allowed = new Map<DatabaseId, Set<string>>()
  readonly #unreachable = new Set<DatabaseId>()

  setReachable(databaseId: DatabaseId, reachable: boolean): void {
    if (reachable) this.#unreachable.delete(databaseId)
    else this.#unreachable.add(databaseId)
  }

  /** What the database would accept now: the test's view, not through the port. */
  allows(databaseId: DatabaseId, address: string): boolean {
    return this.#allowed.get(databaseId)?.has(address) ?? false
  }

  async allow(database: DatabaseEndpoint, address: string): Promise<void> {
    this.#reachable(database)
    const set = this.#allowed.get(database.id) ?? new Set<string>()
    set.add(address)
    this.#allowed.set(database.id, set)
  }

  async revoke(database: DatabaseEndpoint, address: string): Promise<void> {
    this.#reachable(database)
    this.#allowed.get(database.id)?.delete(address)
  }

  async list(database: DatabaseEndpoint): Promise<readonly string[]> {
    this.#reachable(database)
    return [...(this.#allowed.get(database.id) ?? [])].sort()
  }

  #reachable(database: DatabaseEndpoint): void {
    if (this.#unreachable.has(database.id)) {
      throw new AllowlistError(`${database.host}:${database.port} does not answer (simulated)`, 'Unreachable')
    }
  }
}
