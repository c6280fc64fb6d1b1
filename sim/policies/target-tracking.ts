/**
 * Cloud target tracking (AWS EC2 Auto Scaling's, which ESS and Tencent follow) as a policy: the
 * metric's one-minute average; scale out after 3 consecutive periods above the target, scale in
 * after 15 consecutive periods below 90% of it. The new capacity is proportional
 * (ceil(capacity × metric / target)). Instances in their warm-up (300 s from launch) do not count
 * in the metric, and their capacity counts as already added: a scale-out during warm-up happens
 * only when it asks for more than is warming. Scale-in waits for the cooldown (300 s after the
 * last change) and for no instance to be warming up.
 */
import { PeriodAverage, type Policy, type PolicyAction, type PolicyView } from './policy.ts'

export interface TargetTrackingOptions {
  readonly targetCpuPercent: number
  readonly scaleOutPeriods?: number
  readonly scaleInPeriods?: number
  readonly cooldownSeconds?: number
  readonly warmupSeconds?: number
}

/** Period of the metric's statistic, as a cloud monitoring service publishes it. */
const PERIOD_SECONDS = 60
/** The scale-in alarm sits below the target so the two alarms never fight over one value. */
const SCALE_IN_THRESHOLD_FRACTION = 0.9

export function targetTrackingPolicy(options: TargetTrackingOptions): Policy {
  const target = options.targetCpuPercent
  const outPeriods = options.scaleOutPeriods ?? 3
  const inPeriods = options.scaleInPeriods ?? 15
  const cooldownMs = (options.cooldownSeconds ?? 300) * 1000
  const warmupMs = (options.warmupSeconds ?? 300) * 1000
  const average = new PeriodAverage(PERIOD_SECONDS)
  let high = 0
  let low = 0
  let lastChangeMs = Number.NEGATIVE_INFINITY
  return {
    name: 'target-tracking',
    onTick(view: PolicyView): PolicyAction | null {
      const warm = view.inServiceLaunchedAtMs.filter((launchedAtMs) => view.nowMs - launchedAtMs >= warmupMs).length
      const warming = view.inServiceLaunchedAtMs.length - warm + view.pending
      // The cloud leaves warming instances out of the metric; in the capacity model every InService
      // instance carries the same share of load, so the average of the warm ones is this one.
      const metric = average.add(view.nowMs, view.cpuPercent)
      if (metric === null) return null
      high = metric > target ? high + 1 : 0
      low = metric < target * SCALE_IN_THRESHOLD_FRACTION ? low + 1 : 0
      const current = view.desiredCapacity
      const clamp = (value: number) => Math.min(view.maxSize, Math.max(view.minSize, value))
      if (high >= outPeriods) {
        const basis = warm > 0 ? warm : Math.max(current - warming, 0)
        const desired = clamp(Math.max(Math.ceil(Math.max(basis, 1) * (metric / target)) + warming, current))
        if (desired > current) {
          lastChangeMs = view.nowMs
          return {
            kind: 'set-desired',
            desiredCapacity: desired,
            reason: `target tracking: ${metric.toFixed(1)}% > ${target}%`,
          }
        }
      }
      if (low >= inPeriods && warming === 0 && view.nowMs - lastChangeMs >= cooldownMs) {
        const desired = clamp(Math.ceil(current * (metric / target)))
        if (desired < current) {
          lastChangeMs = view.nowMs
          low = 0
          return {
            kind: 'set-desired',
            desiredCapacity: desired,
            reason: `target tracking: ${metric.toFixed(1)}% < ${target}%`,
          }
        }
      }
      return null
    },
  }
}
