/**
 * The scenario file `billow simulate` runs (YAML or JSON): one group, its rules and scheduled
 * tasks, a load trace, a capacity model per instance type, boot times, faults, the SLO, and the
 * policy that scales it. docs/simulation.md describes every field with examples.
 */
import { z } from 'zod'

const positive = z.number().positive()
const nonNegative = z.number().nonnegative()

const common = { durationSeconds: positive, stepSeconds: positive.default(60) }

export const traceSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('lunch-peak'),
    ...common,
    baseRps: nonNegative,
    peakRps: nonNegative,
    peakHour: z.number().min(0).max(24).optional(),
    widthHours: positive.optional(),
    startHour: z.number().min(0).max(24).optional(),
  }),
  z.object({
    kind: z.literal('flash-crowd'),
    ...common,
    baseRps: nonNegative,
    peakRps: nonNegative,
    atSeconds: nonNegative,
    riseSeconds: positive.optional(),
    decaySeconds: positive.optional(),
  }),
  z.object({ kind: z.literal('step'), ...common, fromRps: nonNegative, toRps: nonNegative, atSeconds: nonNegative }),
  z.object({ kind: z.literal('slow-ramp'), ...common, fromRps: nonNegative, toRps: nonNegative }),
  z.object({
    kind: z.literal('noise'),
    ...common,
    meanRps: nonNegative,
    amplitudeRps: nonNegative,
    seed: z.number().int().default(1),
  }),
  z.object({
    kind: z.literal('csv'),
    /** Relative to the scenario file. */
    path: z.string().min(1),
    column: z.string().optional(),
    stepSeconds: positive,
    scale: positive.default(1),
    fromRow: z.number().int().nonnegative().optional(),
    rows: z.number().int().positive().optional(),
    source: z.string().optional(),
  }),
])

const thresholdSchema = z.object({
  metric: z.enum(['cpu', 'latency']).default('cpu'),
  comparison: z.enum(['above', 'below']),
  threshold: nonNegative,
  periodSeconds: positive.default(60),
  evaluationPeriods: z.number().int().positive().default(1),
})

const ruleSchema = z.object({
  name: z.string().min(1),
  adjustmentType: z.enum(['QuantityChangeInCapacity', 'PercentChangeInCapacity', 'TotalCapacity']),
  adjustmentValue: z.number().int(),
  minAdjustmentMagnitude: z.number().int().positive().optional(),
  cooldownSeconds: z.number().int().nonnegative().optional(),
  /** The threshold that executes the rule (Billow's policy); a rule without one runs only from schedules. */
  when: thresholdSchema.optional(),
})

export const policySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('billow-rules') }),
  z.object({
    kind: z.literal('hpa'),
    targetCpuPercent: positive,
    syncSeconds: positive.optional(),
    tolerance: nonNegative.optional(),
    scaleDownStabilisationSeconds: nonNegative.optional(),
  }),
  z.object({
    kind: z.literal('target-tracking'),
    targetCpuPercent: positive,
    scaleOutPeriods: z.number().int().positive().optional(),
    scaleInPeriods: z.number().int().positive().optional(),
    cooldownSeconds: nonNegative.optional(),
    warmupSeconds: nonNegative.optional(),
  }),
])

const scheduledTaskSchema = z.object({
  name: z.string().min(1),
  timeZone: z.string().default('UTC'),
  /** Local wall-clock time of the first run; the simulated clock starts at 2026-01-01T00:00Z. */
  launchTime: z.string(),
  recurrence: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('Daily'), intervalDays: z.number().int().positive().default(1) }),
      z.object({ type: z.literal('Cron'), expression: z.string() }),
    ])
    .optional(),
  launchExpirationSeconds: z.number().int().nonnegative().default(600),
  /** A rule's name, or a size change. */
  rule: z.string().optional(),
  setSize: z
    .object({
      minSize: z.number().int().nonnegative().optional(),
      maxSize: z.number().int().nonnegative().optional(),
      desiredCapacity: z.number().int().nonnegative().optional(),
    })
    .optional(),
})

export const scenarioSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    seed: z.number().int().nonnegative().default(1),
    /** Engine tick in simulated seconds (the live engine ticks every second; coarser is faster). */
    tickSeconds: z.number().int().positive().max(60).default(5),
    /** Simulated run length; the trace's length when absent. */
    durationSeconds: positive.optional(),
    instanceTypes: z.record(z.string(), z.object({ rpsAtFullCpu: positive, baseLatencyMs: positive.default(20) })),
    group: z.object({
      minSize: z.number().int().nonnegative(),
      maxSize: z.number().int().positive().max(1000),
      desiredCapacity: z.number().int().nonnegative().optional(),
      defaultCooldownSeconds: z.number().int().nonnegative().default(300),
      instanceType: z.string(),
      removalPolicies: z.array(z.enum(['OldestInstance', 'NewestInstance', 'OldestScalingConfiguration'])).optional(),
    }),
    rules: z.array(ruleSchema).default([]),
    scheduledTasks: z.array(scheduledTaskSchema).default([]),
    policy: policySchema.default({ kind: 'billow-rules' }),
    trace: traceSchema,
    boot: z
      .object({ minSeconds: positive, maxSeconds: positive })
      .refine((boot) => boot.maxSeconds >= boot.minSeconds, 'maxSeconds must be at least minSeconds')
      .default({ minSeconds: 30, maxSeconds: 60 }),
    slo: z
      .object({ cpuPercent: positive.max(100).default(80), latencyMs: positive.optional() })
      .default({ cpuPercent: 80 }),
    faults: z
      .object({
        instanceCrashesPerHour: nonNegative.default(0),
        launchFailureProbability: z.number().min(0).max(1).default(0),
        /** Chance that a tick's metrics never reach the policy (a scrape or push lost). */
        metricGapProbability: z.number().min(0).max(1).default(0),
      })
      .default({ instanceCrashesPerHour: 0, launchFailureProbability: 0, metricGapProbability: 0 }),
  })
  .refine((scenario) => scenario.group.minSize <= scenario.group.maxSize, 'group.minSize must be at most maxSize')
  .refine(
    (scenario) => scenario.group.instanceType in scenario.instanceTypes,
    'group.instanceType must be in instanceTypes',
  )

export type Scenario = z.infer<typeof scenarioSchema>
export type PolicySpec = z.infer<typeof policySchema>
