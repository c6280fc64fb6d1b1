import { ID_PREFIX, ID_RANDOM_LENGTH, type IdKind } from '../src/core/ids.ts'
import type { IdSource } from '../src/ports/id-source.ts'
import { Prng } from './prng.ts'

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz'

/** Ids drawn from a seeded PRNG: a simulated run names everything the same way every time. */
export function seededIds(seed: number): IdSource {
  const prng = new Prng(seed)
  const issued = new Set<string>()
  return {
    next(kind: IdKind) {
      for (;;) {
        let suffix = ''
        for (let index = 0; index < ID_RANDOM_LENGTH; index += 1) suffix += ALPHABET[prng.integer(0, 35)]
        const id = `${ID_PREFIX[kind]}${suffix}`
        if (!issued.has(id)) {
          issued.add(id)
          return id
        }
      }
    },
  }
}
