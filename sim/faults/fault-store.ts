/**
 * A Store that fails writes on demand, for fault injection: the engine sees it, the checkers read
 * the real one underneath. A failed write inside a transaction aborts the whole transaction, as a
 * lost connection or a full disk would.
 *
 *   healthy ──gate says fail──▶ this write throws (one write lost)
 *   healthy ──kill()──▶ dead: every write throws until revive() (a controller crashed mid-tick)
 */
import type { Collections, Store } from '../../src/ports/store.ts'

/** Methods of a collection that change state; everything else is a read and always passes. */
const WRITE_METHODS = new Set(['insert', 'update', 'delete', 'set', 'deleteForTask', 'deleteCreatedBefore'])

export class StoreWriteFailure extends Error {
  override readonly name = 'StoreWriteFailure'
}

export interface FaultStoreControl {
  /** What the engine is given. */
  readonly store: Store
  /** Asked before each write with "table.method"; true fails that write. */
  failWrite: (write: string) => boolean
  /** Writes that may still succeed before the controller "dies"; null: no crash pending. */
  writesUntilDeath: number | null
  readonly isDead: () => boolean
  revive(): void
}

export function faultStore(inner: Store): FaultStoreControl {
  let dead = false
  const settings: Omit<FaultStoreControl, 'store' | 'isDead' | 'revive'> = {
    failWrite: () => false,
    writesUntilDeath: null,
  }
  const gate = (write: string): void => {
    if (settings.writesUntilDeath !== null) {
      if (settings.writesUntilDeath <= 0) dead = true
      else settings.writesUntilDeath -= 1
    }
    if (dead) throw new StoreWriteFailure(`simulated controller crash before ${write}`)
    if (settings.failWrite(write)) throw new StoreWriteFailure(`simulated store write failure on ${write}`)
  }
  const wrapTable = (name: string, table: object): object =>
    new Proxy(table, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver)
        if (typeof value !== 'function') return value
        if (typeof property === 'string' && WRITE_METHODS.has(property)) {
          return (...args: unknown[]) => {
            gate(`${name}.${property}`)
            return value.apply(target, args)
          }
        }
        return value.bind(target)
      },
    })
  const wrapCollections = (collections: Collections): Collections => {
    const wrapped: Record<string, unknown> = {}
    for (const [name, table] of Object.entries(collections)) {
      wrapped[name] = typeof table === 'object' && table !== null ? wrapTable(name, table) : table
    }
    return wrapped as unknown as Collections
  }
  const store: Store = {
    ...wrapCollections(inner),
    transaction: (work) =>
      inner.transaction((tx) => {
        if (dead) throw new StoreWriteFailure('simulated controller crash: no new transaction')
        return work(wrapCollections(tx))
      }),
    close: () => inner.close(),
  }
  return Object.assign(settings, {
    store,
    isDead: () => dead,
    revive() {
      dead = false
      settings.writesUntilDeath = null
    },
  })
}
