/**
 * Reading and replacing the hba file on this machine. A replacement is atomic (a temporary file
 * in the same directory, flushed, then renamed over the original), so PostgreSQL, an editor or a
 * crash never sees half a file; the new file keeps the original's mode and owner, because the
 * server (another OS user) must still read it. Failures are Misconfigured: the database must run
 * on Billow's machine, and Billow must be able to write its configuration directory.
 */
import { randomBytes } from 'node:crypto'
import { chmod, chown, open, readFile, realpath, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { AllowlistError } from '../../ports/database-allowlist.ts'

/** Largest hba file Billow reads, in bytes: real ones are a few KiB; the block is bounded too. */
export const HBA_FILE_BYTES_MAX = 16 * 1024 * 1024

export interface LocalHbaFile {
  /** The real path (symlinks resolved): renaming over a symlink would replace the link itself. */
  readonly path: string
  readonly bytes: Buffer
  readonly mode: number
  readonly uid: number
  readonly gid: number
}

const misconfigured = (message: string, cause: unknown): AllowlistError =>
  new AllowlistError(
    `${message}: ${cause instanceof Error ? cause.message : String(cause)} (the database must run on this machine and Billow must be able to read and write its hba file)`,
    'Misconfigured',
    { cause },
  )

/** The real path of the server's hba file on this machine (symlinks resolved). */
export async function resolveLocalHbaPath(serverPath: string): Promise<string> {
  try {
    return await realpath(serverPath)
  } catch (error) {
    throw misconfigured(`cannot find the hba file ${serverPath}`, error)
  }
}

export async function readLocalHbaFile(path: string): Promise<LocalHbaFile> {
  try {
    const info = await stat(path)
    if (info.size > HBA_FILE_BYTES_MAX)
      throw new Error(`${info.size} bytes is more than the ${HBA_FILE_BYTES_MAX} bytes Billow reads`)
    const bytes = await readFile(path)
    return { path, bytes, mode: info.mode & 0o7777, uid: info.uid, gid: info.gid }
  } catch (error) {
    throw misconfigured(`cannot read the hba file ${path}`, error)
  }
}

/** Replaces `file.path` with `bytes`, keeping its mode and owner. */
export async function replaceHbaFile(file: LocalHbaFile, bytes: Buffer): Promise<void> {
  const directory = dirname(file.path)
  const temporary = join(directory, `.${basename(file.path)}.billow-${process.pid}-${randomBytes(6).toString('hex')}`)
  try {
    const handle = await open(temporary, 'wx', 0o600)
    try {
      await handle.writeFile(bytes)
      await handle.sync()
    } finally {
      await handle.close()
    }
    // The owner first: chown may clear set-id bits, and the mode is set to the original's after.
    if (file.uid !== process.getuid?.() || file.gid !== process.getgid?.()) await chown(temporary, file.uid, file.gid)
    await chmod(temporary, file.mode)
    await rename(temporary, file.path)
  } catch (error) {
    await rm(temporary, { force: true })
    throw misconfigured(`cannot replace the hba file ${file.path}`, error)
  }
  await syncDirectory(directory)
}

/** Makes the rename itself durable; a directory that cannot be opened for sync is not an error. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r').catch(() => undefined)
  if (handle === undefined) return
  try {
    await handle.sync()
  } catch {
    // Some file systems refuse fsync on a directory; the rename has happened all the same.
  } finally {
    await handle.close()
  }
}
