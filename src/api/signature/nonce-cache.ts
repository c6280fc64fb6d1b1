/**
 * Remembers the nonces of accepted requests until their time leaves the skew window, after which
 * a replay is refused as expired anyway. Bounded: when full of still-fresh nonces it refuses new
 * requests instead of forgetting one, which would reopen a replay.
 */
import { CLOCK_SKEW_MS } from './request-window.ts'

/** About 100 bytes each: ~10 MB at most, and 110 requests a second for the whole window. */
export const NONCE_CACHE_ENTRIES_MAX = 100_000

export type NonceOutcome = 'fresh' | 'replayed' | 'full'

export class NonceCache {
  /** nonce key → when it may be forgotten (epoch ms). */
  readonly #entries = new Map<string, number>()
  readonly #capacity: number

  constructor(capacity: number = NONCE_CACHE_ENTRIES_MAX) {
    this.#capacity = capacity
  }

  get size(): number {
    return this.#entries.size
  }

  /** Whether `key` was seen; records it when fresh. `requestTimeMs` is the request's own time. */
  remember(key: string, requestTimeMs: number, nowMs: number): NonceOutcome {
    const forgetAtMs = this.#entries.get(key)
    if (forgetAtMs !== undefined && forgetAtMs > nowMs) return 'replayed'
    if (this.#entries.size >= this.#capacity) this.#sweep(nowMs)
    if (this.#entries.size >= this.#capacity) return 'full'
    this.#entries.delete(key)
    this.#entries.set(key, requestTimeMs + CLOCK_SKEW_MS)
    return 'fresh'
  }

  /** Lets `key` be used again: for a request that was refused before it changed anything. */
  forget(key: string): void {
    this.#entries.delete(key)
  }

  /** Whether `key` is remembered, without recording it. */
  has(key: string, nowMs: number): boolean {
    const forgetAtMs = this.#entries.get(key)
    return forgetAtMs !== undefined && forgetAtMs > nowMs
  }

  /** A full pass, only when full: amortised over the capacity's worth of insertions before it. */
  #sweep(nowMs: number): void {
    for (const [key, forgetAtMs] of this.#entries) if (forgetAtMs <= nowMs) this.#entries.delete(key)
  }
}
