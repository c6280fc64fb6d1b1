/**
 * One directory per instance under the provider root holds what the OS process table cannot:
 * the launch's client token, the exit status seen by the launching server, the limits applied,
 * whether the instance was terminated, and its output.
 *
 *   <root>/<instanceId>/launch.json      { clientToken, privateIp, port, pid, … } written right after spawn
 *   <root>/<instanceId>/limits.json      { limitsEnforced, limitsNote }
 *   <root>/<instanceId>/exit.json        { exitDescription } written by the launching server's exit handler
 *   <root>/<instanceId>/terminated.json  { terminatedAtMs } — present: terminate() finished, list() skips it
 *   <root>/<instanceId>/output.log       stdout and stderr, appended
 *   <root>/<instanceId>/user-data        the launch configuration's user data, when it has some
 */
import { renameSync, writeFileSync } from 'node:fs'
import { open, readdir, readFile } from 'node:fs/promises'
import { constants } from 'node:os'
import { join } from 'node:path'
import { hasIdShape } from '../../core/ids.ts'

export const OUTPUT_LOG_FILE = 'output.log'
export const USER_DATA_FILE = 'user-data'
const LAUNCH_RECORD_FILE = 'launch.json'
const LIMITS_RECORD_FILE = 'limits.json'
const EXIT_RECORD_FILE = 'exit.json'
const TERMINATED_RECORD_FILE = 'terminated.json'

/** Instance ids become directory names; Billow's are about 20 characters, any file system takes 64. */
const INSTANCE_ID_LENGTH_MAX = 64

/** Largest log tail returned at once, in bytes: the API shows a tail, not a whole log. */
export const LOG_TAIL_BYTES_MAX = 1024 * 1024

export interface LaunchRecord {
  readonly instanceId: string
  readonly clientToken: string
  readonly privateIp: string
  readonly port: number
  readonly pid: number
  /** Start time of the process in clock ticks after boot, to tell it from a later one with the same pid. */
  readonly startTicks: number | null
}

export interface LimitsRecord {
  readonly limitsEnforced: boolean
  readonly limitsNote: string | null
}

export interface InstanceRecords {
  readonly launch: LaunchRecord | null
  readonly limits: LimitsRecord | null
  readonly exitDescription: string | null
  readonly terminated: boolean
}

/** Whether `instanceId` can safely name a directory (no '/', no '..'): the domain's id shape. */
export const isUsableInstanceId = (instanceId: string): boolean =>
  instanceId.length <= INSTANCE_ID_LENGTH_MAX && hasIdShape('instance', instanceId)

export const instanceDirectory = (rootDirectory: string, instanceId: string): string => join(rootDirectory, instanceId)

/** Written synchronously and atomically (rename), so a crash leaves the old record or the new one. */
function writeRecordSync(directory: string, file: string, record: object): void {
  const path = join(directory, file)
  writeFileSync(`${path}.tmp`, `${JSON.stringify(record)}\n`)
  renameSync(`${path}.tmp`, path)
}

export const writeLaunchRecordSync = (directory: string, record: LaunchRecord): void =>
  writeRecordSync(directory, LAUNCH_RECORD_FILE, record)
export const writeLimitsRecordSync = (directory: string, record: LimitsRecord): void =>
  writeRecordSync(directory, LIMITS_RECORD_FILE, record)
export const writeExitRecordSync = (directory: string, exitDescription: string): void =>
  writeRecordSync(directory, EXIT_RECORD_FILE, { exitDescription })
export const writeTerminatedRecordSync = (directory: string, terminatedAtMs: number): void =>
  writeRecordSync(directory, TERMINATED_RECORD_FILE, { terminatedAtMs })

async function readRecord(directory: string, file: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(join(directory, file), 'utf8')) as Record<string, unknown>
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

export async function readInstanceRecords(directory: string): Promise<InstanceRecords> {
  const [launch, limits, exit, terminated] = await Promise.all([
    readRecord(directory, LAUNCH_RECORD_FILE),
    readRecord(directory, LIMITS_RECORD_FILE),
    readRecord(directory, EXIT_RECORD_FILE),
    readRecord(directory, TERMINATED_RECORD_FILE),
  ])
  return {
    launch: launch as LaunchRecord | null,
    limits: limits as LimitsRecord | null,
    exitDescription: typeof exit?.exitDescription === 'string' ? exit.exitDescription : null,
    terminated: terminated !== null,
  }
}

/** Names of the instance directories under the root; anything else there is not ours. */
export async function listInstanceDirectories(rootDirectory: string): Promise<string[]> {
  try {
    const entries = await readdir(rootDirectory, { withFileTypes: true })
    return entries.filter((entry) => entry.isDirectory() && isUsableInstanceId(entry.name)).map((entry) => entry.name)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
}

/** The last `maxBytes` of a file as text ('' when it does not exist), starting at a whole character. */
export async function tailFile(path: string, maxBytes: number): Promise<string> {
  const wantedBytes = Math.max(0, Math.min(Math.floor(maxBytes), LOG_TAIL_BYTES_MAX))
  let handle: Awaited<ReturnType<typeof open>>
  try {
    handle = await open(path, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ''
    throw error
  }
  try {
    const { size } = await handle.stat()
    const length = Math.min(size, wantedBytes)
    const buffer = Buffer.alloc(length)
    const { bytesRead } = await handle.read(buffer, 0, length, size - length)
    let start = 0
    // Skip UTF-8 continuation bytes (10xxxxxx) so the tail does not begin with half a character.
    while (start < bytesRead && ((buffer[start] ?? 0) & 0xc0) === 0x80) start++
    return buffer.subarray(start, bytesRead).toString('utf8')
  } finally {
    await handle.close()
  }
}

const signalNames = new Map<number, string>(Object.entries(constants.signals).map(([name, number]) => [number, name]))

/** 'exit code 3' or 'killed by signal SIGKILL', from what Node's 'exit' event reports. */
export function describeExit(code: number | null, signal: string | null): string {
  if (signal !== null) return `killed by signal ${signal}`
  return `exit code ${code ?? 'unknown'}`
}

/** The same, from a raw wait status (the exit_code field of /proc/<pid>/stat). */
export function describeWaitStatus(status: number): string {
  const signal = status & 0x7f
  if (signal === 0) return describeExit((status >> 8) & 0xff, null)
  return describeExit(null, signalNames.get(signal) ?? `${signal}`)
}
