/**
 * The default provider: each instance is a local OS process bound to its own loopback IP.
 *
 *   launch ──spawn──▶ running ──exits by itself──▶ exited ──terminate──▶ (cleared)
 *                        └────────────terminate (SIGTERM, then SIGKILL)──────▲
 *
 * What runs is read from the OS (/proc) on every call, never from memory, so a server started
 * after a restart or crash adopts the instances an earlier one launched. Instance directories
 * (instance-directory.ts) add what /proc cannot say: client tokens, exit statuses, termination.
 * One server owns a provider root at a time; calls for one instance are serialised within it.
 */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { assert } from '../../core/errors.ts'
import type { InstanceId } from '../../core/ids.ts'
import type { LaunchRequest, ObservedInstance, Provider } from '../../ports/provider.ts'
import { ProviderError } from '../../ports/provider.ts'
import { createCgroupLimits } from './cgroup-limits.ts'
import {
  describeWaitStatus,
  type InstanceRecords,
  instanceDirectory,
  isUsableInstanceId,
  listInstanceDirectories,
  OUTPUT_LOG_FILE,
  readInstanceRecords,
  tailFile,
  writeLimitsRecordSync,
  writeTerminatedRecordSync,
} from './instance-directory.ts'
import { findInstanceProcesses, type InstanceProcess, isAlive, readProcessStat } from './proc-scan.ts'
import { spawnInstance } from './spawn-instance.ts'

/** Time an instance gets after SIGTERM to drain and exit before SIGKILL, in milliseconds. */
export const TERMINATE_GRACE_MS = 5_000
/** Time the kernel gets to end an instance after SIGKILL before terminate() reports a retryable failure. */
const KILL_WAIT_MS = 5_000
/** How often a terminating instance is checked for having exited, in milliseconds. */
const TERMINATE_POLL_MS = 50

export interface ProcessProviderOptions {
  /** Holds one directory per instance; kept across restarts (dataPaths(dataDir).instances). */
  readonly rootDirectory: string
}

const NOT_WATCHED = 'exited while the server was not watching'

export function createProcessProvider(options: ProcessProviderOptions): Provider {
  const rootDirectory = resolve(options.rootDirectory)
  const limits = createCgroupLimits({ rootDirectory })
  const queues = new Map<string, Promise<unknown>>()

  /** Runs calls for one instance one after another, so a launch and its retry never both spawn. */
  function serialised<T>(instanceId: string, work: () => Promise<T>): Promise<T> {
    const previous = queues.get(instanceId) ?? Promise.resolve()
    const next = previous.then(work, work)
    queues.set(instanceId, next)
    const forget = (): void => {
      if (queues.get(instanceId) === next) queues.delete(instanceId)
    }
    next.then(forget, forget)
    return next
  }

  async function exitDescription(records: InstanceRecords): Promise<string> {
    if (records.exitDescription !== null) return records.exitDescription
    const launch = records.launch
    // A zombie not yet reaped still holds its exit status, if the pid is still the process we started.
    const stat = launch === null ? null : await readProcessStat(launch.pid)
    if (stat !== null && stat.exitStatus !== null && stat.startTicks === launch?.startTicks) {
      return describeWaitStatus(stat.exitStatus)
    }
    return NOT_WATCHED
  }

  async function observe(instanceId: string, processes: readonly InstanceProcess[]): Promise<ObservedInstance | null> {
    const records = await readInstanceRecords(instanceDirectory(rootDirectory, instanceId))
    const first = processes[0]
    const limitsOutcome = records.limits ?? {
      limitsEnforced: false,
      limitsNote: records.launch === null ? 'limits unknown: no launch record' : 'limits not applied yet',
    }
    const base = {
      instanceId: instanceId as InstanceId,
      privateIp: records.launch?.privateIp ?? first?.host ?? '',
      port: records.launch?.port ?? first?.port ?? 0,
      ...limitsOutcome,
    }
    // The OS is the truth: a live process is running whatever the directory says.
    if (first !== undefined) return { ...base, state: 'running', exitDescription: null }
    if (records.launch === null || records.terminated) return null
    return { ...base, state: 'exited', exitDescription: await exitDescription(records) }
  }

  async function findByClientToken(clientToken: string): Promise<string | null> {
    for (const instanceId of await listInstanceDirectories(rootDirectory)) {
      const records = await readInstanceRecords(instanceDirectory(rootDirectory, instanceId))
      if (records.launch?.clientToken === clientToken) return instanceId
    }
    return null
  }

  async function processesOf(instanceId: string): Promise<InstanceProcess[]> {
    return (await findInstanceProcesses(rootDirectory)).get(instanceId) ?? []
  }

  async function launchOnce(request: LaunchRequest): Promise<ObservedInstance> {
    const directory = instanceDirectory(rootDirectory, request.instanceId)
    const processes = await processesOf(request.instanceId)
    const records = await readInstanceRecords(directory)
    if (records.launch !== null && records.launch.clientToken !== request.clientToken) {
      throw new ProviderError(`instance ${request.instanceId} was launched with another client token`, 'permanent')
    }
    if (records.terminated && processes.length === 0) {
      throw new ProviderError(`instance ${request.instanceId} was terminated; its client token is spent`, 'permanent')
    }
    const existing = await observe(request.instanceId, processes)
    if (existing !== null) return existing
    const launchedAs = await findByClientToken(request.clientToken)
    if (launchedAs !== null) {
      const observed = await observe(launchedAs, await processesOf(launchedAs))
      if (observed !== null) return observed
      throw new ProviderError(`client token of ${request.instanceId} was spent on ${launchedAs}`, 'permanent')
    }
    const pid = await spawnInstance(request, rootDirectory, directory)
    writeLimitsRecordSync(directory, await limits.apply(request.instanceId, pid, request.instanceType))
    const stat = await readProcessStat(pid)
    const running = stat !== null && isAlive(stat)
    const observed = await observe(request.instanceId, [])
    assert(observed !== null, `${request.instanceId} has a launch record once spawned`)
    return running ? { ...observed, state: 'running', exitDescription: null } : observed
  }

  function signal(processes: readonly InstanceProcess[], signalName: NodeJS.Signals, serverGroup: number): void {
    const groups = new Set(processes.map((p) => p.stat.processGroupId))
    // The whole group first (workers the instance forked), then each process that left it.
    for (const group of groups) if (group > 1 && group !== serverGroup) killIgnoringGone(-group, signalName)
    for (const p of processes) killIgnoringGone(p.stat.pid, signalName)
  }

  async function waitGone(processes: readonly InstanceProcess[], waitMs: number): Promise<void> {
    const deadlineMs = Date.now() + waitMs
    while (Date.now() < deadlineMs) {
      const stats = await Promise.all(processes.map((p) => readProcessStat(p.stat.pid)))
      const alive = stats.some((s, i) => s !== null && isAlive(s) && s.startTicks === processes[i]?.stat.startTicks)
      if (!alive) return
      await sleep(TERMINATE_POLL_MS)
    }
  }

  async function stopProcesses(instanceId: string): Promise<void> {
    const serverGroup = (await readProcessStat(process.pid))?.processGroupId ?? process.pid
    const running = await processesOf(instanceId)
    if (running.length === 0) return
    signal(running, 'SIGTERM', serverGroup)
    await waitGone(running, TERMINATE_GRACE_MS)
    const stubborn = await processesOf(instanceId)
    if (stubborn.length === 0) return
    signal(stubborn, 'SIGKILL', serverGroup)
    await waitGone(stubborn, KILL_WAIT_MS)
    if ((await processesOf(instanceId)).length > 0) {
      throw new ProviderError(`instance ${instanceId} is still running after SIGKILL`, 'retryable')
    }
  }

  return {
    name: 'process',
    launch(request) {
      if (!isUsableInstanceId(request.instanceId)) {
        return Promise.reject(new ProviderError(`instance id ${request.instanceId} is malformed`, 'permanent'))
      }
      return serialised(request.instanceId, () => launchOnce(request))
    },
    async terminate(instanceId) {
      if (!isUsableInstanceId(instanceId)) return // no directory or process can carry such an id
      await serialised(instanceId, async () => {
        await stopProcesses(instanceId)
        try {
          await limits.remove(instanceId)
        } catch (error) {
          throw new ProviderError(`cgroup of ${instanceId} could not be removed`, 'retryable', { cause: error })
        }
        const directory = instanceDirectory(rootDirectory, instanceId)
        if (existsSync(directory)) writeTerminatedRecordSync(directory, Date.now())
      })
    },
    async list() {
      const processes = await findInstanceProcesses(rootDirectory)
      const ids = new Set([...(await listInstanceDirectories(rootDirectory)), ...processes.keys()])
      const usable = [...ids].filter(isUsableInstanceId).sort()
      const observed = await Promise.all(usable.map((id) => observe(id, processes.get(id) ?? [])))
      return observed.filter((instance): instance is ObservedInstance => instance !== null)
    },
    async logs(instanceId, maxBytes) {
      if (!isUsableInstanceId(instanceId)) return ''
      return tailFile(join(instanceDirectory(rootDirectory, instanceId), OUTPUT_LOG_FILE), maxBytes)
    },
  } satisfies Provider
}

function killIgnoringGone(pid: number, signalName: NodeJS.Signals): void {
  try {
    process.kill(pid, signalName)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
}
