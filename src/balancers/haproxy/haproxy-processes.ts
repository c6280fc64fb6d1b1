/**
 * Finds and stops the haproxy processes of one load balancer by reading the operating system's
 * process table: a process is ours when its command line runs our configuration file. The table,
 * not the driver's memory, is the truth, so a new driver (after a Billow restart) finds them.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const PROC_DIRECTORY = '/proc'
/** Files read at once while scanning /proc: quick, and far from the descriptor limit. */
const PROC_SCAN_CONCURRENCY = 64
/** Time haproxy gets after SIGTERM to close and exit before SIGKILL, in milliseconds. */
const STOP_GRACE_MS = 3_000
/** Time the kernel gets to end a process after SIGKILL, in milliseconds. */
const KILL_WAIT_MS = 2_000
/** How often a stopping process is looked at, in milliseconds. */
const STOP_POLL_MS = 20

/** Live (not zombie) and running `-f <configPath>`: ours, not a later process that reused the pid. */
export async function isHaproxyOf(pid: number, configPath: string): Promise<boolean> {
  try {
    const [stat, commandLine] = await Promise.all([
      readFile(join(PROC_DIRECTORY, String(pid), 'stat'), 'utf8'),
      readFile(join(PROC_DIRECTORY, String(pid), 'cmdline'), 'utf8'),
    ])
    // The state letter follows the command name, which may hold spaces and parentheses.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    if (state === 'Z' || state === 'X') return false
    const argv = commandLine.split('\0')
    return argv.some((argument, index) => argument === '-f' && argv[index + 1] === configPath)
  } catch {
    return false // gone, or another user's process
  }
}

/** Every live haproxy running `configPath`: the serving one and any still finishing after a reload. */
export async function findHaproxyProcesses(configPath: string): Promise<number[]> {
  const pids = (await readdir(PROC_DIRECTORY)).filter((name) => /^\d+$/.test(name)).map(Number)
  const found: number[] = []
  for (let start = 0; start < pids.length; start += PROC_SCAN_CONCURRENCY) {
    const batch = pids.slice(start, start + PROC_SCAN_CONCURRENCY)
    const ours = await Promise.all(batch.map((pid) => isHaproxyOf(pid, configPath)))
    found.push(...batch.filter((_, index) => ours[index]))
  }
  return found
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
}

async function waitGone(pids: readonly number[], configPath: string, waitMs: number): Promise<number[]> {
  const deadlineMs = Date.now() + waitMs
  for (;;) {
    const alive = (await Promise.all(pids.map((pid) => isHaproxyOf(pid, configPath)))).flatMap((ours, index) =>
      ours ? [pids[index] as number] : [],
    )
    if (alive.length === 0 || Date.now() > deadlineMs) return alive
    await sleep(STOP_POLL_MS)
  }
}

/** Stops the processes at once (SIGTERM, then SIGKILL); resolves when they are gone. */
export async function stopHaproxyProcesses(pids: readonly number[], configPath: string): Promise<void> {
  const ours = (await Promise.all(pids.map((pid) => isHaproxyOf(pid, configPath)))).flatMap((yes, index) =>
    yes ? [pids[index] as number] : [],
  )
  for (const pid of ours) signal(pid, 'SIGTERM')
  const stubborn = await waitGone(ours, configPath, STOP_GRACE_MS)
  for (const pid of stubborn) signal(pid, 'SIGKILL')
  const left = await waitGone(stubborn, configPath, KILL_WAIT_MS)
  if (left.length > 0) throw new Error(`haproxy ${left.join(', ')} still runs after SIGKILL`)
}
