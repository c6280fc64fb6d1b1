/**
 * Where the haproxy binary is when nobody says: on PATH, or where Debian puts it (/usr/sbin is
 * not on an ordinary user's PATH).
 */
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

const SYSTEM_DIRECTORIES = ['/usr/sbin', '/usr/local/sbin', '/sbin']

/** The first executable `haproxy` found, or null. */
export function findHaproxy(env: NodeJS.ProcessEnv = process.env): string | null {
  const directories = [...(env.PATH ?? '').split(delimiter).filter((d) => d !== ''), ...SYSTEM_DIRECTORIES]
  for (const directory of directories) {
    const candidate = join(directory, 'haproxy')
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return null
}
