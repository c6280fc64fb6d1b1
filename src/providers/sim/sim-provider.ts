/**
 * A provider for a virtual world: instances live in memory and time comes from a Clock
 * (VirtualClock in tests and the simulator), so hours of scaling run in milliseconds and the
 * same run replays exactly. It passes the same conformance suite as the real providers.
 *
 *   launch ──▶ running ──crash()──▶ exited ──terminate──▶ terminated (not listed; token spent)
 *                 └──────────────terminate──────────────────▲
 *
 * Test hooks: crash(), failNextLaunches(), a boot time after which SimProbe says ready, and
 * forceProbeResult() for an instance whose application stops answering.
 */
import type { InstanceId } from '../../core/ids.ts'
import { hasIdShape } from '../../core/ids.ts'
import type { Clock } from '../../ports/clock.ts'
import type { ProbeResult } from '../../ports/instance-probe.ts'
import type { LaunchRequest, ObservedInstance, Provider } from '../../ports/provider.ts'
import { ProviderError } from '../../ports/provider.ts'

/** Milliseconds from launch until SimProbe says ready, unless options say otherwise: a small VM's boot. */
export const SIM_BOOT_MS_DEFAULT = 5_000
/** Instances one world holds, terminated ones included: ten times the control-plane target of 100,000. */
const SIM_INSTANCES_MAX = 1_000_000
/** Lines of output kept per instance: the tail is what logs() shows. */
const SIM_LOG_LINES_MAX = 100
const SIM_LIMITS_NOTE = 'simulated instance: no limits to enforce'

export interface SimProviderOptions {
  readonly clock: Clock
  /** Milliseconds from launch until the instance's application is ready. */
  readonly bootMs?: number
}

type SimState = 'running' | 'exited' | 'terminated'

interface SimInstance {
  readonly instanceId: InstanceId
  readonly clientToken: string
  readonly privateIp: string
  readonly port: number
  readonly launchedAtMs: number
  readonly readyAtMs: number
  state: SimState
  exitDescription: string | null
  forcedProbeResult: ProbeResult | null
  readonly output: string[]
}

export class SimProvider implements Provider {
  readonly name = 'sim'
  readonly #clock: Clock
  #bootMs: number
  readonly #instances = new Map<string, SimInstance>()
  /** The instances list() reports (not terminated), in launch order, kept apart so a long run's dead do not slow it. */
  readonly #listed = new Map<string, SimInstance>()
  readonly #instanceByToken = new Map<string, string>()
  readonly #pendingFailures: ('retryable' | 'permanent')[] = []

  constructor(options: SimProviderOptions) {
    this.#clock = options.clock
    this.#bootMs = options.bootMs ?? SIM_BOOT_MS_DEFAULT
  }

  async launch(request: LaunchRequest): Promise<ObservedInstance> {
    const failure = this.#pendingFailures.shift()
    if (failure !== undefined) throw new ProviderError(`simulated ${failure} launch failure`, failure)
    if (!hasIdShape('instance', request.instanceId)) {
      throw new ProviderError(`instance id ${request.instanceId} is malformed`, 'permanent')
    }
    const existing = this.#instances.get(request.instanceId)
    if (existing !== undefined && existing.clientToken !== request.clientToken) {
      throw new ProviderError(`instance ${request.instanceId} was launched with another client token`, 'permanent')
    }
    const byToken = this.#instances.get(this.#instanceByToken.get(request.clientToken) ?? '')
    const found = existing ?? byToken
    if (found !== undefined) {
      if (found.state === 'terminated') {
        throw new ProviderError(`instance ${found.instanceId} was terminated; its client token is spent`, 'permanent')
      }
      return observed(found)
    }
    if (this.#instances.size >= SIM_INSTANCES_MAX) {
      throw new ProviderError(`the simulated world is full (${SIM_INSTANCES_MAX} instances)`, 'retryable')
    }
    const nowMs = this.#clock.nowMs()
    const instance: SimInstance = {
      instanceId: request.instanceId,
      clientToken: request.clientToken,
      privateIp: request.privateIp,
      port: request.port,
      launchedAtMs: nowMs,
      readyAtMs: nowMs + this.#bootMs,
      state: 'running',
      exitDescription: null,
      forcedProbeResult: null,
      output: [],
    }
    this.#instances.set(request.instanceId, instance)
    this.#listed.set(request.instanceId, instance)
    this.#instanceByToken.set(request.clientToken, request.instanceId)
    this.#write(instance, `${request.image.name} listening on http://${request.privateIp}:${request.port}`)
    return observed(instance)
  }

  async terminate(instanceId: InstanceId): Promise<void> {
    const instance = this.#instances.get(instanceId)
    if (instance === undefined || instance.state === 'terminated') return
    if (instance.state === 'running') this.#write(instance, 'terminated')
    instance.state = 'terminated'
    this.#listed.delete(instanceId)
  }

  async list(): Promise<readonly ObservedInstance[]> {
    return Array.from(this.#listed.values(), observed)
  }

  async logs(instanceId: InstanceId, maxBytes: number): Promise<string> {
    const instance = this.#instances.get(instanceId)
    if (instance === undefined || maxBytes <= 0) return ''
    const bytes = Buffer.from(instance.output.join(''), 'utf8')
    return bytes.subarray(Math.max(0, bytes.length - Math.floor(maxBytes))).toString('utf8')
  }

  /** Test hook: the instance's process dies by itself, as a crash or an out-of-memory kill would. */
  crash(instanceId: InstanceId, exitDescription: string): void {
    const instance = this.#instances.get(instanceId)
    if (instance === undefined || instance.state !== 'running') return
    instance.state = 'exited'
    instance.exitDescription = exitDescription
    this.#write(instance, `exited: ${exitDescription}`)
  }

  /** Test hook: the next `count` launch calls throw ProviderError of `kind` before doing anything. */
  failNextLaunches(count: number, kind: 'retryable' | 'permanent' = 'retryable'): void {
    for (let i = 0; i < count; i++) this.#pendingFailures.push(kind)
  }

  /** Boot time of instances launched from now on, in milliseconds. */
  setBootMs(bootMs: number): void {
    this.#bootMs = bootMs
  }

  /** Test hook: the probe answers `result` for this instance whatever its boot time (null: back to normal). */
  forceProbeResult(instanceId: InstanceId, result: ProbeResult | null): void {
    const instance = this.#instances.get(instanceId)
    if (instance !== undefined) instance.forcedProbeResult = result
  }

  /** When the instance's application is (or was) ready; null for an instance this world does not know. */
  readyAtMs(instanceId: InstanceId): number | null {
    return this.#instances.get(instanceId)?.readyAtMs ?? null
  }

  /** What SimProbe answers: ready once running and booted, unless a test forced another answer. */
  probeResult(instanceId: InstanceId): ProbeResult {
    const instance = this.#instances.get(instanceId)
    if (instance === undefined || instance.state !== 'running') return 'not-ready'
    if (instance.forcedProbeResult !== null) return instance.forcedProbeResult
    return this.#clock.nowMs() >= instance.readyAtMs ? 'ready' : 'not-ready'
  }

  #write(instance: SimInstance, line: string): void {
    instance.output.push(`${new Date(this.#clock.nowMs()).toISOString()} ${line}\n`)
    if (instance.output.length > SIM_LOG_LINES_MAX) instance.output.shift()
  }
}

function observed(instance: SimInstance): ObservedInstance {
  return {
    instanceId: instance.instanceId,
    state: instance.state === 'running' ? 'running' : 'exited',
    privateIp: instance.privateIp,
    port: instance.port,
    exitDescription: instance.exitDescription,
    limitsEnforced: false,
    limitsNote: SIM_LIMITS_NOTE,
  }
}
