/**
 * One seeded run of the real engine under faults (the VOPR idea): a PRNG seeded from the seed
 * builds a group with rules, a scheduled task and protected members, then for a number of steps
 * injects faults and operator requests; the checker runs after every step. Then the faults stop
 * and the group must converge. Everything that happens goes into an event log, so a seed replays
 * byte for byte.
 */
import { assert } from '../../src/core/errors.ts'
import type { LoadBalancerId, ScalingGroupId, ScalingRuleId } from '../../src/core/ids.ts'
import type { LogFields, Logger } from '../../src/ports/logger.ts'
import { Prng } from '../prng.ts'
import { createWorld, type World } from '../world.ts'
import { type FaultProviderControl, faultProvider } from './fault-provider.ts'
import { FaultSchedule } from './fault-schedule.ts'
import { type FaultStoreControl, faultStore } from './fault-store.ts'
import { type CheckInput, checkCapacityBound, checkHistory, checkSettled } from './invariants.ts'

/** Steps with faults; each is one engine tick (1 s) unless a clock jump adds more. */
export const FAULT_STEPS_DEFAULT = 120
/** Settling steps of 5 s after the faults stop: more than the longest retry backoff (300 s) and a slow boot. */
const SETTLE_STEPS_MAX = 200
const SETTLE_STEP_MS = 5_000
/** Keeps a seed's faults apart from its ids, which the world draws from the seed itself. */
const FAULT_STREAM = 0x9e3779b9

export interface SeedResult {
  readonly seed: number
  readonly events: readonly string[]
  /** The first broken invariant, with the step it broke at; null when every check held. */
  readonly failure: { readonly step: number; readonly reason: string } | null
}

export async function runSeed(seed: number, options: { faultSteps?: number } = {}): Promise<SeedResult> {
  const prng = new Prng((seed ^ FAULT_STREAM) >>> 0)
  const events: string[] = []
  let clockMs = () => 0
  const record = (level: string) => (event: string, fields?: LogFields) => {
    events.push(`${clockMs()} ${level} ${event}${fields ? ` ${JSON.stringify(withoutStacks(fields))}` : ''}`)
  }
  const { world, storeFaults, providerFaults } = await faultyWorld(seed, {
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  })
  clockMs = () => world.clock.nowMs()
  const faultSteps = options.faultSteps ?? FAULT_STEPS_DEFAULT
  let step = 0
  try {
    const setup = await setUp(world, prng)
    const inject = record('fault')
    inject('setup', setup.describe)
    const schedule = new FaultSchedule({ world, setup, prng, storeFaults, providerFaults, inject, faultSteps })
    const check: CheckInput = {
      store: world.store,
      provider: world.provider,
      groupId: setup.groupId,
      protectedAtMs: schedule.protectedAtMs,
    }
    for (; step < faultSteps; step += 1) {
      await schedule.step()
      const broken = await checkStep(world, check, events)
      if (broken) return finish(seed, events, { step, reason: broken })
    }
    schedule.stop()
    for (let settle = 0; settle < SETTLE_STEPS_MAX; settle += 1) {
      step = faultSteps + settle
      await world.stepBy(SETTLE_STEP_MS)
      const broken = await checkStep(world, check, events)
      if (broken) return finish(seed, events, { step, reason: broken })
      if ((await checkSettled(check)) === null) return finish(seed, events, null)
    }
    const reason = (await checkSettled(check)) ?? 'not settled'
    return finish(seed, events, { step: faultSteps + SETTLE_STEPS_MAX, reason: `after settling: ${reason}` })
  } catch (error) {
    // The driver itself must not throw: an exception out of the engine or a service is a failure too.
    return finish(seed, events, { step, reason: `threw: ${error instanceof Error ? error.message : String(error)}` })
  } finally {
    await world.close()
  }
}

/** A world whose engine sees the store and provider through the fault wrappers. */
async function faultyWorld(seed: number, log: Logger) {
  let storeFaults: FaultStoreControl | undefined
  let providerFaults: FaultProviderControl | undefined
  const world = await createWorld({
    seed,
    log,
    engineStore: (store) => {
      storeFaults = faultStore(store)
      return storeFaults.store
    },
    engineProvider: (provider) => {
      providerFaults = faultProvider(provider, () => storeFaults?.isDead() ?? false)
      return providerFaults.provider
    },
  })
  assert(storeFaults !== undefined && providerFaults !== undefined, 'the world takes the fault wrappers')
  return { world, storeFaults, providerFaults }
}

/** Engine log lines that mean a bug whatever the faults: a broken assertion is never expected. */
const ASSERTION_MARK = 'assertion failed'

async function checkStep(world: World, check: CheckInput, events: readonly string[]): Promise<string | null> {
  const tripped = events.findLast((event) => event.includes(ASSERTION_MARK))
  if (tripped) return `the engine broke an assertion: ${tripped.slice(0, 300)}`
  const bound = await checkCapacityBound(check)
  if (bound) return bound
  return checkHistory(await world.store.activities.list({ groupId: check.groupId }), check.protectedAtMs)
}

/** Stack traces name the caller (a test, the soak script): the log keeps an error's message only, so it replays anywhere. */
function withoutStacks(fields: LogFields): LogFields {
  const kept: Record<string, LogFields[string]> = {}
  for (const [key, value] of Object.entries(fields)) {
    kept[key] = typeof value === 'string' ? (value.split('\n    at ')[0] ?? value) : value
  }
  return kept
}

function finish(seed: number, events: string[], failure: SeedResult['failure']): SeedResult {
  events.push(failure ? `failed at step ${failure.step}: ${failure.reason}` : 'settled: every invariant held')
  return { seed, events, failure }
}

export interface Setup {
  readonly groupId: ScalingGroupId
  readonly ruleIds: readonly string[]
  readonly minSize: number
  readonly maxSize: number
  readonly describe: LogFields
}

/** A group of 0–2 … 3–8 instances, two rules, a task every two minutes; then the group fills. */
async function setUp(world: World, prng: Prng): Promise<Setup> {
  const minSize = prng.integer(0, 2)
  const maxSize = prng.integer(3, 8)
  const desiredCapacity = prng.next() < 0.7 ? prng.integer(minSize, maxSize) : null
  const defaultCooldownSeconds = prng.integer(0, 4) * 30
  // Half the seeds put the group behind a balancer whose health check decides health, so probe
  // flaps reach InService members (and recovery must drain them) as well as booting ones.
  const balanced = prng.next() < 0.5
  const drainSeconds = prng.integer(0, 20)
  const loadBalancer = balanced
    ? await world.services.loadBalancers.create({
        name: 'web',
        listeners: [{ protocol: 'HTTP', port: 8000 }],
        drainSeconds,
      })
    : undefined
  const groupId = await world.createGroup({
    minSize,
    maxSize,
    desiredCapacity,
    defaultCooldownSeconds,
    ...(loadBalancer
      ? {
          healthCheckType: 'LoadBalancer' as const,
          healthCheckGracePeriodSeconds: 10,
          loadBalancers: [{ loadBalancerId: loadBalancer.id as LoadBalancerId, port: null, weight: 1 }],
        }
      : {}),
  })
  const rule = (name: string, adjustmentValue: number, cooldownSeconds: number | null) =>
    world.services.rules.create({
      groupId,
      name,
      adjustmentType: 'QuantityChangeInCapacity',
      adjustmentValue,
      cooldownSeconds,
    })
  const ruleIds = [(await rule('add 2', 2, null)).id, (await rule('remove 1', -1, prng.next() < 0.5 ? null : 20)).id]
  await world.services.scheduledTasks.create({
    groupId,
    name: 'every two minutes',
    timeZone: 'UTC',
    launchTime: '2026-01-01T00:00',
    recurrence: { type: 'Cron', expression: '*/2 * * * *' },
    launchExpirationSeconds: 60,
    action: { kind: 'ExecuteRule', ruleId: ruleIds[prng.integer(0, 1)] as ScalingRuleId },
  })
  return {
    groupId,
    ruleIds,
    minSize,
    maxSize,
    describe: { minSize, maxSize, desiredCapacity, defaultCooldownSeconds, balanced, drainSeconds },
  }
}
