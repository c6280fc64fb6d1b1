import { randomBytes } from 'node:crypto'
import { ID_PREFIX, ID_RANDOM_LENGTH } from '../core/ids.ts'
import type { IdSource } from '../ports/id-source.ts'

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz'

/** Random ids from the operating system's CSPRNG. */
export const randomIds: IdSource = {
  next(kind) {
    const bytes = randomBytes(ID_RANDOM_LENGTH)
    let suffix = ''
    // 256 is not a multiple of 36: the slight bias is harmless for ids that only need to be unique.
    for (const byte of bytes) suffix += ALPHABET[byte % ALPHABET.length]
    return `${ID_PREFIX[kind]}${suffix}`
  },
}
