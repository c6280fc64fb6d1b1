/**
 * Keeps a database's IP allowlist. Implementations: allowlists/postgres, allowlists/mysql. Every
 * implementation passes the shared suite in test/allowlist-conformance.ts.
 */
import type { DatabaseEndpoint } from '../core/database.ts'

export interface DatabaseAllowlist {
  readonly engine: DatabaseEndpoint['engine']
  /**
   * Lets `address` connect as the endpoint's client user. Idempotent. Resolves once the database
   * accepts such connections (the configuration is reloaded). Throws AllowlistError.
   */
  allow(database: DatabaseEndpoint, address: string): Promise<void>
  /** Undoes allow(). Idempotent: an address not on the list resolves. Throws AllowlistError. */
  revoke(database: DatabaseEndpoint, address: string): Promise<void>
  /** The addresses Billow has allowed, as the database holds them now. Throws AllowlistError. */
  list(database: DatabaseEndpoint): Promise<readonly string[]>
}

/**
 * Unreachable: the database server cannot be reached or refused Billow's credentials (retry may
 * help). Misconfigured: the database's own configuration stops Billow from managing it safely
 * (for example a malformed pg_hba.conf around the managed block); the file is left untouched.
 */
export type AllowlistErrorKind = 'Unreachable' | 'Misconfigured'

export class AllowlistError extends Error {
  override readonly name = 'AllowlistError'
  readonly kind: AllowlistErrorKind
  constructor(message: string, kind: AllowlistErrorKind, options?: { cause?: unknown }) {
    super(message, options)
    this.kind = kind
  }
}
