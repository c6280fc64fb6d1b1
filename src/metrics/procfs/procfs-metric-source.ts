/**
 * Usage of process instances from /proc: CPU time (utime + stime) and resident memory summed
 * over every process that carries the instance's marker (an application may fork workers). CPU
 * is the difference between two samples, so an instance's first sample reports nothing.
 *
 * Processes are found by their environment (BILLOW_INSTANCE_ID, set by the process provider);
 * /proc is scanned again only when an instance has no known process or every few seconds, to
 * catch forked workers, since reading every environ each second would cost more than it tells.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { InstanceId } from '../../core/ids.ts'
import type { InstanceUsage, MetricSource, UsageTarget } from '../../ports/metric-source.ts'

const INSTANCE_ID_VARIABLE = 'BILLOW_INSTANCE_ID'
/** USER_HZ: Linux reports CPU times in 1/100 s on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100
const PAGE_BYTES = 4096
/** How often /proc is rescanned for new processes of known instances. */
const RESCAN_INTERVAL_MS = 5_000
/** Files read at once while scanning: quick, and never near the descriptor limit. */
const SCAN_CONCURRENCY = 64

interface CpuSample {
  readonly atMs: number
  readonly cpuTicks: number
}

export class ProcfsMetricSource implements MetricSource {
  readonly name = 'procfs'
  readonly #procDirectory: string
  #pids = new Map<InstanceId, readonly number[]>()
  #scannedAtMs = Number.NEGATIVE_INFINITY
  readonly #previous = new Map<InstanceId, CpuSample>()

  constructor(options: { procDirectory?: string } = {}) {
    this.#procDirectory = options.procDirectory ?? '/proc'
  }

  async sample(targets: readonly UsageTarget[], nowMs: number): Promise<readonly InstanceUsage[]> {
    const unknown = targets.some((target) => !this.#pids.has(target.instanceId))
    if (unknown || nowMs - this.#scannedAtMs >= RESCAN_INTERVAL_MS) {
      this.#pids = await this.#scan()
      this.#scannedAtMs = nowMs
    }
    const usages: InstanceUsage[] = []
    const wanted = new Set(targets.map((target) => target.instanceId))
    for (const id of this.#previous.keys()) if (!wanted.has(id)) this.#previous.delete(id)
    for (const target of targets) {
      const totals = await this.#totals(this.#pids.get(target.instanceId) ?? [])
      if (totals === null) {
        this.#previous.delete(target.instanceId)
        continue
      }
      const previous = this.#previous.get(target.instanceId)
      this.#previous.set(target.instanceId, { atMs: nowMs, cpuTicks: totals.cpuTicks })
      if (!previous || nowMs <= previous.atMs || totals.cpuTicks < previous.cpuTicks) continue
      const cpuSeconds = (totals.cpuTicks - previous.cpuTicks) / CLOCK_TICKS_PER_SECOND
      const wallSeconds = (nowMs - previous.atMs) / 1000
      usages.push({
        instanceId: target.instanceId,
        cpuPercent: (100 * cpuSeconds) / wallSeconds / target.vcpu,
        memoryUsedBytes: totals.residentBytes,
      })
    }
    return usages
  }

  /** CPU ticks and resident bytes of the processes still alive; null when none is. */
  async #totals(pids: readonly number[]): Promise<{ cpuTicks: number; residentBytes: number } | null> {
    let cpuTicks = 0
    let residentBytes = 0
    let alive = 0
    for (const pid of pids) {
      const stat = await readText(join(this.#procDirectory, String(pid), 'stat'))
      const parsed = stat === null ? null : parseCpuAndMemory(stat)
      if (parsed === null) continue
      alive += 1
      cpuTicks += parsed.cpuTicks
      residentBytes += parsed.residentPages * PAGE_BYTES
    }
    return alive === 0 ? null : { cpuTicks, residentBytes }
  }

  async #scan(): Promise<Map<InstanceId, number[]>> {
    const pids = (await readdir(this.#procDirectory)).filter((name) => /^\d+$/.test(name)).map(Number)
    const found = new Map<InstanceId, number[]>()
    for (let start = 0; start < pids.length; start += SCAN_CONCURRENCY) {
      const batch = pids.slice(start, start + SCAN_CONCURRENCY)
      const ids = await Promise.all(batch.map((pid) => this.#instanceOf(pid)))
      batch.forEach((pid, index) => {
        const id = ids[index]
        if (id) found.set(id, [...(found.get(id) ?? []), pid])
      })
    }
    return found
  }

  async #instanceOf(pid: number): Promise<InstanceId | undefined> {
    const environ = await readText(join(this.#procDirectory, String(pid), 'environ'))
    if (environ === null) return undefined
    const marker = `${INSTANCE_ID_VARIABLE}=`
    const entry = environ.split('\0').find((variable) => variable.startsWith(marker))
    return entry ? (entry.slice(marker.length) as InstanceId) : undefined
  }
}

/** utime(14) + stime(15) and rss(24) of /proc/<pid>/stat; null for a zombie or what does not parse. */
export function parseCpuAndMemory(text: string): { cpuTicks: number; residentPages: number } | null {
  const close = text.lastIndexOf(')')
  if (close < 0) return null
  const fields = text
    .slice(close + 2)
    .trim()
    .split(' ')
  const field = (number: number): number => Number(fields[number - 3])
  if (fields[0] === 'Z' || fields[0] === 'X') return null
  const cpuTicks = field(14) + field(15)
  const residentPages = field(24)
  return Number.isFinite(cpuTicks) && Number.isFinite(residentPages) ? { cpuTicks, residentPages } : null
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'latin1')
  } catch {
    return null // exited meanwhile, or another user's process
  }
}
