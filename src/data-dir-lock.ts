/**
 * One server per data directory: two engines over one store and one instance folder would each
 * believe they own the instances. The lock is a file holding the owner's pid, created
 * exclusively; a lock whose pid is no longer alive is stale and taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'

export class DataDirectoryLocked extends Error {
  override readonly name = 'DataDirectoryLocked'
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Takes the lock at `path` for this process, or throws DataDirectoryLocked naming the owner. */
export function lockDataDirectory(path: string, dataDir: string): { release(): void } {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 })
      return {
        release: () => {
          if (ownerOf(path) === process.pid) rmSync(path, { force: true })
        },
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const owner = ownerOf(path)
      if (owner !== undefined && isAlive(owner)) {
        throw new DataDirectoryLocked(
          `another Billow server (pid ${owner}) uses ${dataDir}: stop it, or give this one another --data`,
        )
      }
      rmSync(path, { force: true })
    }
  }
  throw new DataDirectoryLocked(`could not lock ${dataDir}: another server is starting at the same moment`)
}

function ownerOf(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10)
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}
