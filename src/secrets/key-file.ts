/**
 * The installation's secret-box key: 32 random bytes, base64, in a file of the data directory
 * readable by its owner only, made at first start. Losing it makes stored access key secrets
 * unreadable (the keys must then be recreated); it is never logged nor sent anywhere.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'

export function readOrCreateKeyFile(path: string, bytes: number): Buffer {
  try {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64')
    if (key.length !== bytes) throw new Error(`${path} does not hold a ${bytes}-byte base64 key`)
    return key
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const key = randomBytes(bytes)
  // 'wx': two servers starting on one directory cannot both write a key; the loser fails loudly.
  writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' })
  return key
}
