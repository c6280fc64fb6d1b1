/**
 * Scaling-quality metrics of the SPEC Research Group's cloud group (docs/simulation.md cites the
 * papers). Over samples t of length Δt, with demand d_t (the fewest instances that meet the SLO)
 * and supply s_t (InService instances), T the total time:
 *
 *   under-provisioning accuracy  θ_U = 100/T · Σ (d_t − s_t)⁺ / max(d_t, 1) · Δt     [%]
 *   over-provisioning accuracy   θ_O = 100/T · Σ (s_t − d_t)⁺ / max(d_t, 1) · Δt     [%]
 *   under-provisioning time share τ_U = 100/T · Σ [d_t > s_t] · Δt                  [%]
 *   over-provisioning time share  τ_O = 100/T · Σ [s_t > d_t] · Δt                  [%]
 *   instability                  υ = 100/(T − Δt) · Σ_{t≥2} min(|sgn Δs_t − sgn Δd_t|, 1) · Δt  [%]
 *
 * (The papers normalise by d_t; max(d_t, 1) keeps idle periods, d_t = 0, finite.) Besides them:
 * instance-hours (every live instance, booting ones included, is paid for) and SLO violation
 * time (CPU or latency above the scenario's limits, or load with nothing to serve it).
 */

export interface Sample {
  readonly durationSeconds: number
  readonly demand: number
  readonly supply: number
  /** Instances paid for in the sample (Pending, InService, Standby, Removing). */
  readonly billed: number
  readonly sloViolated: boolean
}

export interface ElasticityMetrics {
  readonly underAccuracyPercent: number
  readonly overAccuracyPercent: number
  readonly underTimeSharePercent: number
  readonly overTimeSharePercent: number
  readonly instabilityPercent: number
  readonly instanceHours: number
  readonly sloViolationSeconds: number
  readonly sloViolationPercent: number
}

export function elasticityMetrics(samples: readonly Sample[]): ElasticityMetrics {
  let total = 0
  let under = 0
  let over = 0
  let underTime = 0
  let overTime = 0
  let unstable = 0
  let instabilityTime = 0
  let instanceSeconds = 0
  let violation = 0
  samples.forEach((sample, index) => {
    const dt = sample.durationSeconds
    const norm = Math.max(sample.demand, 1)
    total += dt
    under += (Math.max(0, sample.demand - sample.supply) / norm) * dt
    over += (Math.max(0, sample.supply - sample.demand) / norm) * dt
    if (sample.demand > sample.supply) underTime += dt
    if (sample.supply > sample.demand) overTime += dt
    instanceSeconds += sample.billed * dt
    if (sample.sloViolated) violation += dt
    const previous = samples[index - 1]
    if (previous) {
      instabilityTime += dt
      const supplyTrend = Math.sign(sample.supply - previous.supply)
      const demandTrend = Math.sign(sample.demand - previous.demand)
      unstable += Math.min(Math.abs(supplyTrend - demandTrend), 1) * dt
    }
  })
  const percent = (value: number, of: number) => (of > 0 ? (100 * value) / of : 0)
  return {
    underAccuracyPercent: percent(under, total),
    overAccuracyPercent: percent(over, total),
    underTimeSharePercent: percent(underTime, total),
    overTimeSharePercent: percent(overTime, total),
    instabilityPercent: percent(unstable, instabilityTime),
    instanceHours: instanceSeconds / 3600,
    sloViolationSeconds: violation,
    sloViolationPercent: percent(violation, total),
  }
}
