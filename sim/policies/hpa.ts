/**
 * The Kubernetes Horizontal Pod Autoscaler's algorithm (autoscaling/v2, default behaviour), as a
 * policy: every `syncSeconds` (15), desired = ceil(current × metric / target), skipped within
 * the tolerance (0.1). On a scale-up, pods not yet ready count at 0% (so booting capacity is not
 * bought twice). Scale-up is limited per sync to max(100% of current, +4); scale-down takes the
 * highest recommendation of the last 300 s (the stabilisation window).
 */
import type { Policy, PolicyAction, PolicyView } from './policy.ts'

export interface HpaOptions {
  readonly targetCpuPercent: number
  readonly syncSeconds?: number
  readonly tolerance?: number
  readonly scaleDownStabilisationSeconds?: number
}

/** HPA's default scale-up policies: double, or add 4 pods, per period, whichever is more. */
const SCALE_UP_PERCENT = 100
const SCALE_UP_PODS = 4

export function hpaPolicy(options: HpaOptions): Policy {
  const syncMs = (options.syncSeconds ?? 15) * 1000
  const tolerance = options.tolerance ?? 0.1
  const windowMs = (options.scaleDownStabilisationSeconds ?? 300) * 1000
  const target = options.targetCpuPercent
  let lastSyncMs: number | null = null
  const recommendations: { atMs: number; replicas: number }[] = []
  return {
    name: 'hpa',
    onTick(view: PolicyView): PolicyAction | null {
      if (lastSyncMs !== null && view.nowMs - lastSyncMs < syncMs) return null
      lastSyncMs = view.nowMs
      const current = view.desiredCapacity
      const ready = view.inServiceLaunchedAtMs.length
      let recommended = current
      if (ready > 0) {
        const ratio = view.cpuPercent / target
        if (Math.abs(ratio - 1) > tolerance) {
          recommended = Math.ceil(ready * ratio)
          if (ratio > 1 && view.pending > 0) {
            // Unready pods count at 0%: recompute, and skip when that no longer asks for more.
            const adjusted = (view.cpuPercent * ready) / (ready + view.pending) / target
            recommended = adjusted > 1 + tolerance ? Math.ceil((ready + view.pending) * adjusted) : current
          }
        }
      } else if (view.cpuPercent > 0 && view.pending === 0) {
        recommended = Math.max(current, 1)
      }
      recommendations.push({ atMs: view.nowMs, replicas: recommended })
      while ((recommendations[0]?.atMs ?? view.nowMs) < view.nowMs - windowMs) recommendations.shift()
      let desired = recommended
      if (recommended < current) desired = Math.max(...recommendations.map((entry) => entry.replicas))
      if (desired > current) {
        const limit = Math.max(current + Math.ceil((current * SCALE_UP_PERCENT) / 100), current + SCALE_UP_PODS)
        desired = Math.min(desired, limit)
      }
      desired = Math.min(view.maxSize, Math.max(view.minSize, desired))
      if (desired === current) return null
      return {
        kind: 'set-desired',
        desiredCapacity: desired,
        reason: `hpa: cpu ${view.cpuPercent.toFixed(1)}% vs target ${target}% on ${ready} ready`,
      }
    },
  }
}
