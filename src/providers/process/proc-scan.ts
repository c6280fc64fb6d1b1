/**
 * Reads the operating system's process table (/proc) to find the processes a process provider
 * started. The table, not the server's memory, is the truth: it survives a server restart or
 * crash, so a new server adopts what the old one launched.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

/** Marker variables every instance process carries in its environment (see spawn-instance.ts). */
export const INSTANCE_ID_VARIABLE = 'BILLOW_INSTANCE_ID'
export const PROVIDER_ROOT_VARIABLE = 'BILLOW_PROVIDER_ROOT'

const PROC_DIRECTORY = '/proc'

/** Files read at once while scanning /proc: enough to be quick, few enough never to run out of descriptors. */
const PROC_SCAN_CONCURRENCY = 64

export interface ProcessStat {
  readonly pid: number
  /** One letter, as in ps: R running, S sleeping, D disk wait, Z zombie, X dead, … */
  readonly state: string
  readonly processGroupId: number
  /** Clock ticks after boot when the process started; with the pid it names one process. */
  readonly startTicks: number
  /** The wait status (as waitpid reports it) once the process has exited; null while it runs. */
  readonly exitStatus: number | null
}

/** A process of the provider root: alive, since a zombie's environment can no longer be read. */
export interface InstanceProcess {
  readonly stat: ProcessStat
  readonly instanceId: string
  readonly host: string | null
  readonly port: number | null
}

/** Parses /proc/<pid>/stat. The command name may hold spaces and parentheses, so split at the last ')'. */
export function parseProcessStat(text: string): ProcessStat | null {
  const close = text.lastIndexOf(')')
  if (close < 0) return null
  const pid = Number.parseInt(text, 10)
  // Fields after the name, numbered from 3 as in proc(5): state(3) ppid(4) pgrp(5) … starttime(22) … exit_code(52).
  const fields = text
    .slice(close + 2)
    .trim()
    .split(' ')
  const field = (number: number): string | undefined => fields[number - 3]
  const state = field(3)
  const processGroupId = Number(field(5))
  const startTicks = Number(field(22))
  if (!Number.isInteger(pid) || state === undefined || !Number.isInteger(processGroupId)) return null
  const exitCodeField = field(52)
  const exited = state === 'Z' || state === 'X'
  return {
    pid,
    state,
    processGroupId,
    startTicks,
    exitStatus: exited && exitCodeField !== undefined ? Number(exitCodeField) : null,
  }
}

export async function readProcessStat(pid: number): Promise<ProcessStat | null> {
  try {
    return parseProcessStat(await readFile(join(PROC_DIRECTORY, String(pid), 'stat'), 'utf8'))
  } catch {
    return null // gone, or not ours to read
  }
}

export const isAlive = (stat: ProcessStat): boolean => stat.state !== 'Z' && stat.state !== 'X'

function parseEnviron(raw: string): Map<string, string> {
  const variables = new Map<string, string>()
  for (const entry of raw.split('\0')) {
    const equals = entry.indexOf('=')
    if (equals > 0) variables.set(entry.slice(0, equals), entry.slice(equals + 1))
  }
  return variables
}

async function readInstanceProcess(pid: number, rootDirectory: string): Promise<InstanceProcess | null> {
  let environ: string
  try {
    environ = await readFile(join(PROC_DIRECTORY, String(pid), 'environ'), 'latin1')
  } catch {
    return null // exited meanwhile, a zombie, or another user's process
  }
  // Cheap test first: almost every process on the machine is not ours.
  if (!environ.includes(`${PROVIDER_ROOT_VARIABLE}=${rootDirectory}\0`)) return null
  const variables = parseEnviron(environ)
  const instanceId = variables.get(INSTANCE_ID_VARIABLE)
  if (variables.get(PROVIDER_ROOT_VARIABLE) !== rootDirectory || instanceId === undefined) return null
  const stat = await readProcessStat(pid)
  if (stat === null || !isAlive(stat)) return null
  const port = Number(variables.get('PORT'))
  return { stat, instanceId, host: variables.get('HOST') ?? null, port: Number.isInteger(port) ? port : null }
}

/**
 * Every live process whose environment says it belongs to `rootDirectory`, grouped by instance.
 * An instance may own several processes (an application that forks workers); they share its markers.
 */
export async function findInstanceProcesses(rootDirectory: string): Promise<Map<string, InstanceProcess[]>> {
  const entries = await readdir(PROC_DIRECTORY)
  const pids = entries.filter((name) => /^\d+$/.test(name)).map(Number)
  const byInstance = new Map<string, InstanceProcess[]>()
  for (let start = 0; start < pids.length; start += PROC_SCAN_CONCURRENCY) {
    const batch = pids.slice(start, start + PROC_SCAN_CONCURRENCY)
    for (const found of await Promise.all(batch.map((pid) => readInstanceProcess(pid, rootDirectory)))) {
      if (found === null) continue
      const list = byInstance.get(found.instanceId) ?? []
      list.push(found)
      byInstance.set(found.instanceId, list)
    }
  }
  return byInstance
}
