import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * Compares a presented signature with the expected one in time that does not depend on where
 * they first differ. Both are hashed first, so their lengths (which timingSafeEqual insists on)
 * reveal nothing either.
 */
export function signaturesEqual(presented: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest()
  return timingSafeEqual(digest(presented), digest(expected))
}
