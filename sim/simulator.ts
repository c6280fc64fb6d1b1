/**
 * Runs a scenario: the real engine and services on the virtual clock (sim/world.ts), a group
 * built from the scenario, the load trace served by the capacity model, and a policy that reads
 * the metrics each tick and asks the group for changes through the same services an operator or
 * an alarm would use. Returns the timeline, the activities and the SPEC-RG metrics.
 */
import { dirname, resolve } from 'node:path'
import type { ScalingGroupId, ScalingRuleId } from '../src/core/ids.ts'
import { isLive } from '../src/core/types.ts'
import { faultProvider } from './faults/fault-provider.ts'
import { type ElasticityMetrics, elasticityMetrics, type Sample } from './metrics/elasticity.ts'
import { demandInstances, serve } from './model/capacity-model.ts'
import { billowRulesPolicy } from './policies/billow-rules.ts'
import { hpaPolicy } from './policies/hpa.ts'
import type { Policy, PolicyAction } from './policies/policy.ts'
import { targetTrackingPolicy } from './policies/target-tracking.ts'
import { Prng } from './prng.ts'
import type { PolicySpec, Scenario } from './scenario/schema.ts'
import { setUpGroup } from './scenario/set-up-group.ts'
import { loadCsvTrace } from './traces/csv-trace.ts'
import { flashCrowd, lunchPeak, noise, slowRamp, step } from './traces/generators.ts'
import { loadAt, type Trace, traceDurationSeconds } from './traces/trace.ts'
import { createWorld, WORLD_START_MS, type World } from './world.ts'

/** Ticks a run may take: a week at 5 s ticks; longer runs should use a coarser tick. */
const TICKS_MAX = 120_960
/** Ticks the group gets to reach its initial size before the trace starts. */
const WARM_START_TICKS_MAX = 600

export interface TimelinePoint {
  readonly offsetSeconds: number
  readonly loadRps: number
  readonly capacityRps: number
  readonly servedRps: number
  readonly inService: number
  readonly pending: number
  readonly desiredCapacity: number
  readonly demand: number
  readonly cpuPercent: number
  readonly latencyMs: number
}

export interface ActivityPoint {
  readonly offsetSeconds: number
  readonly kind: string
  readonly status: string
  readonly description: string
}

export interface SimulationResult {
  readonly scenario: string
  readonly policy: string
  readonly seed: number
  readonly trace: { readonly name: string; readonly source?: string }
  readonly durationSeconds: number
  readonly tickSeconds: number
  readonly metrics: ElasticityMetrics
  readonly timeline: readonly TimelinePoint[]
  readonly activities: readonly ActivityPoint[]
  /** Requests the policy made that the services refused (validation), with their reasons. */
  readonly refusals: number
}

export function buildTrace(spec: Scenario['trace'], baseDirectory: string): Trace {
  switch (spec.kind) {
    case 'lunch-peak':
      return lunchPeak(spec)
    case 'flash-crowd':
      return flashCrowd(spec)
    case 'step':
      return step(spec)
    case 'slow-ramp':
      return slowRamp(spec)
    case 'noise':
      return noise(spec)
    case 'csv':
      return loadCsvTrace({ ...spec, path: resolve(baseDirectory, spec.path) })
  }
}

export function buildPolicy(spec: PolicySpec, scenario: Scenario): Policy {
  switch (spec.kind) {
    case 'billow-rules':
      return billowRulesPolicy(scenario.rules.flatMap((rule) => (rule.when ? [{ name: rule.name, ...rule.when }] : [])))
    case 'hpa':
      return hpaPolicy(spec)
    case 'target-tracking':
      return targetTrackingPolicy(spec)
  }
}

export async function simulate(
  scenario: Scenario,
  options: { scenarioPath?: string; policy?: PolicySpec } = {},
): Promise<SimulationResult> {
  const baseDirectory = options.scenarioPath ? dirname(resolve(options.scenarioPath)) : process.cwd()
  const trace = buildTrace(scenario.trace, baseDirectory)
  const policySpec = options.policy ?? scenario.policy
  const policy = buildPolicy(policySpec, scenario)
  const model = scenario.instanceTypes[scenario.group.instanceType]
  if (!model) throw new Error(`instance type ${scenario.group.instanceType} has no capacity model`)
  const prng = new Prng(scenario.seed)
  const bootMs = () => prng.integer(scenario.boot.minSeconds * 1000, scenario.boot.maxSeconds * 1000)
  const world = await createWorld({
    seed: scenario.seed,
    bootMs: bootMs(),
    engineProvider: (provider) => {
      const control = faultProvider(provider, () => false)
      control.launchFault = () => (prng.next() < scenario.faults.launchFailureProbability ? 'fail-permanent' : null)
      return control.provider
    },
  })
  try {
    const { group } = scenario
    const { groupId, ruleIds } = await setUpGroup(world, scenario)
    // The group starts at its initial size, booted, as a running service would be.
    await world.runUntil(
      async () => {
        world.provider.setBootMs(bootMs())
        const members = await world.liveMembers(groupId)
        const current = await world.store.groups.get(groupId)
        const target = current?.desiredCapacity ?? current?.minSize ?? 0
        return members.length === target && members.every((member) => member.state === 'InService')
      },
      { ticksMax: WARM_START_TICKS_MAX },
    )
    const startMs = world.clock.nowMs()
    const durationSeconds = scenario.durationSeconds ?? traceDurationSeconds(trace)
    const tickSeconds = scenario.tickSeconds
    const ticks = Math.ceil(durationSeconds / tickSeconds)
    if (ticks > TICKS_MAX) throw new Error(`${ticks} ticks is more than ${TICKS_MAX}: use a larger tickSeconds`)
    const crashPerTick = (scenario.faults.instanceCrashesPerHour * tickSeconds) / 3600
    const timeline: TimelinePoint[] = []
    const samples: Sample[] = []
    let refusals = 0
    for (let tick = 0; tick < ticks; tick += 1) {
      const offsetSeconds = tick * tickSeconds
      world.provider.setBootMs(bootMs())
      await world.stepBy(tickSeconds * 1000)
      const members = await world.liveMembers(groupId)
      const inServiceMembers = members.filter((member) => member.state === 'InService')
      for (const member of inServiceMembers) {
        if (prng.next() < crashPerTick) world.provider.crash(member.id, 'simulated crash')
      }
      const current = await world.store.groups.get(groupId)
      const loadRps = loadAt(trace, offsetSeconds)
      const served = serve(model, loadRps, inServiceMembers.length)
      const demand = Math.max(group.minSize, demandInstances(model, loadRps, scenario.slo.cpuPercent))
      const point: TimelinePoint = {
        offsetSeconds,
        loadRps,
        capacityRps: inServiceMembers.length * model.rpsAtFullCpu,
        servedRps: served.servedRps,
        inService: inServiceMembers.length,
        pending: members.filter((member) => member.state === 'Pending').length,
        desiredCapacity: current?.desiredCapacity ?? members.length,
        demand,
        cpuPercent: served.cpuPercent,
        latencyMs: served.latencyMs,
      }
      timeline.push(point)
      const latencyViolated = scenario.slo.latencyMs !== undefined && served.latencyMs > scenario.slo.latencyMs
      samples.push({
        durationSeconds: tickSeconds,
        demand,
        supply: inServiceMembers.length,
        billed: (await world.store.instances.list({ groupId })).filter((i) => isLive(i) || i.state === 'Removing')
          .length,
        sloViolated: served.cpuPercent > scenario.slo.cpuPercent || latencyViolated || served.servedRps < loadRps,
      })
      // A metric gap: this tick's sample never reaches the policy, which must not act on it.
      if (scenario.faults.metricGapProbability > 0 && prng.next() < scenario.faults.metricGapProbability) continue
      const action = policy.onTick({
        nowMs: world.clock.nowMs(),
        minSize: current?.minSize ?? group.minSize,
        maxSize: current?.maxSize ?? group.maxSize,
        desiredCapacity: point.desiredCapacity,
        inServiceLaunchedAtMs: inServiceMembers.map((member) => member.createdAtMs),
        pending: point.pending,
        cpuPercent: served.cpuPercent,
        latencyMs: served.latencyMs,
      })
      if (action && !(await apply(world, groupId, ruleIds, action))) refusals += 1
    }
    const activities = (await world.store.activities.list({ groupId }))
      .filter((activity) => (activity.startedAtMs ?? activity.createdAtMs) >= startMs)
      .map((activity) => ({
        offsetSeconds: Math.round(((activity.startedAtMs ?? activity.createdAtMs) - startMs) / 1000),
        kind: activity.request.kind,
        status: activity.status,
        description: activity.status === 'Rejected' ? (activity.statusMessage ?? '') : activity.description,
      }))
    return {
      scenario: scenario.name,
      policy: policy.name,
      seed: scenario.seed,
      trace: { name: trace.name, ...(trace.source ? { source: trace.source } : {}) },
      durationSeconds,
      tickSeconds,
      metrics: elasticityMetrics(samples),
      timeline,
      activities,
      refusals,
    }
  } finally {
    await world.close()
  }
}

/** Sends the policy's request through the services; false when they refuse it. */
async function apply(
  world: World,
  groupId: ScalingGroupId,
  ruleIds: ReadonlyMap<string, ScalingRuleId>,
  action: PolicyAction,
): Promise<boolean> {
  try {
    if (action.kind === 'set-desired') {
      // Replica controllers overwrite a target at once; here a target still queued is replaced by waiting for it.
      const queued = await world.store.activities.list({ groupId, statuses: ['Queued'], limit: 1 })
      if (queued.length > 0) return true
      await world.services.capacity.setDesiredCapacity(groupId, action.desiredCapacity, { honorCooldown: false })
    } else {
      const ruleId = ruleIds.get(action.ruleName)
      if (!ruleId) return false
      await world.services.rules.execute(ruleId, { ignoreCooldown: false })
    }
    return true
  } catch {
    return false
  }
}

/** When the simulated clock starts, for reports. */
export const SIMULATION_EPOCH_MS = WORLD_START_MS
