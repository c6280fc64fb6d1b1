/**
 * CPU and memory limits of an instance type, enforced with cgroup v2 where the machine lets us:
 * a cgroup per instance under `<cgroup2 mount>/billow/<hash of the provider root>/`, with
 * cpu.max and memory.max, removed when the instance is terminated. Moving instances out of the
 * server's own cgroup also keeps a service manager from killing them with the server.
 *
 * Where cgroup v2 is missing, lacks the cpu or memory controller, or is not writable, instances
 * run without limits and say why (limitsNote). A launch never fails because of limits.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { InstanceTypeSpec } from '../../core/instance-type.ts'

/** The cpu.max period, in microseconds: the kernel's default; vcpu × period is the quota. */
const CPU_PERIOD_MICROSECONDS = 100_000
/** The smallest quota the kernel accepts, in microseconds. */
const CPU_QUOTA_MICROSECONDS_MIN = 1_000
const REQUIRED_CONTROLLERS = ['cpu', 'memory'] as const
/** Directory under the cgroup2 mount that holds every Billow provider's instance cgroups. */
const BILLOW_CGROUP = 'billow'

export interface LimitsOutcome {
  readonly limitsEnforced: boolean
  readonly limitsNote: string | null
}

export type CgroupAvailability =
  | { readonly usable: true; readonly directory: string }
  | { readonly usable: false; readonly note: string }

export interface CgroupLimits {
  /** Checked once, on first use; the answer holds for the provider's lifetime. */
  availability(): Promise<CgroupAvailability>
  /** Puts `pid` in a new cgroup with the type's limits. Never throws: failure is reported. */
  apply(instanceId: string, pid: number, instanceType: InstanceTypeSpec): Promise<LimitsOutcome>
  /** Removes the instance's cgroup once its processes are gone; idempotent. Throws what rmdir throws. */
  remove(instanceId: string): Promise<void>
}

export interface CgroupLimitsOptions {
  readonly rootDirectory: string
  /** Where mounts are listed; tests point it at a fake cgroup file system. */
  readonly mountInfoPath?: string
}

const errorText = (error: unknown): string =>
  (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error))

/** Mount point of the first cgroup2 file system in a /proc/<pid>/mountinfo text, or null. */
export function findCgroup2Mount(mountInfo: string): string | null {
  for (const line of mountInfo.split('\n')) {
    const [before, after] = line.split(' - ')
    if (after === undefined || after.split(' ')[0] !== 'cgroup2') continue
    const mountPoint = before?.split(' ')[4]
    // mountinfo escapes space, tab, newline and backslash as octal (\040).
    if (mountPoint)
      return mountPoint.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)))
  }
  return null
}

async function detect(options: CgroupLimitsOptions): Promise<CgroupAvailability> {
  let mountInfo: string
  try {
    mountInfo = await readFile(options.mountInfoPath ?? '/proc/self/mountinfo', 'utf8')
  } catch (error) {
    return { usable: false, note: `cannot read the mount table (${errorText(error)})` }
  }
  const mount = findCgroup2Mount(mountInfo)
  if (mount === null) return { usable: false, note: 'cgroup v2 is not mounted here' }
  let controllers: string[]
  try {
    controllers = (await readFile(join(mount, 'cgroup.controllers'), 'utf8')).split(/\s+/).filter(Boolean)
  } catch (error) {
    return { usable: false, note: `cgroup v2 at ${mount} is not readable (${errorText(error)})` }
  }
  const missing = REQUIRED_CONTROLLERS.filter((name) => !controllers.includes(name))
  if (missing.length > 0) {
    const available = controllers.length > 0 ? controllers.join(' ') : 'none'
    return {
      usable: false,
      note: `cgroup v2 at ${mount} lacks the ${missing.join(' and ')} controller (available: ${available}); the host keeps them on cgroup v1`,
    }
  }
  const rootHash = createHash('sha256').update(options.rootDirectory).digest('hex').slice(0, 12)
  const chain = [mount, join(mount, BILLOW_CGROUP), join(mount, BILLOW_CGROUP, rootHash)]
  let step = mount
  try {
    // Each level must hand the controllers down to the next before the instance cgroups can use them.
    for (const directory of chain) {
      step = directory
      await mkdir(directory, { recursive: true })
      await writeFile(join(directory, 'cgroup.subtree_control'), '+cpu +memory')
    }
  } catch (error) {
    return { usable: false, note: `cgroup v2 not writable here (${errorText(error)} at ${step})` }
  }
  return { usable: true, directory: chain[2] as string }
}

export function createCgroupLimits(options: CgroupLimitsOptions): CgroupLimits {
  let detected: Promise<CgroupAvailability> | null = null
  const availability = (): Promise<CgroupAvailability> => {
    detected ??= detect(options)
    return detected
  }
  return {
    availability,
    async apply(instanceId, pid, instanceType) {
      const found = await availability()
      if (!found.usable) return { limitsEnforced: false, limitsNote: found.note }
      const directory = join(found.directory, instanceId)
      const quota = Math.max(CPU_QUOTA_MICROSECONDS_MIN, Math.round(instanceType.vcpu * CPU_PERIOD_MICROSECONDS))
      try {
        await mkdir(directory, { recursive: true })
        await writeFile(join(directory, 'cpu.max'), `${quota} ${CPU_PERIOD_MICROSECONDS}`)
        await writeFile(join(directory, 'memory.max'), String(instanceType.memoryBytes))
        // The process ran for a moment before this move; whatever it forked meanwhile stays outside.
        await writeFile(join(directory, 'cgroup.procs'), String(pid))
      } catch (error) {
        return { limitsEnforced: false, limitsNote: `cgroup limits could not be applied (${errorText(error)})` }
      }
      return { limitsEnforced: true, limitsNote: null }
    },
    async remove(instanceId) {
      const found = await availability()
      if (!found.usable) return
      // rmdir, not rm -r: a cgroup's interface files cannot be unlinked, the directory goes as a whole.
      try {
        await rmdir(join(found.directory, instanceId))
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      }
    },
  }
}
