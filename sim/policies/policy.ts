/**
 * A scaling policy in the simulator: sees the group each tick and may ask for a change. Billow's
 * own rules, the Kubernetes HPA and cloud target tracking are all policies, so one run of the
 * same engine, trace and boot times compares them.
 */

export interface PolicyView {
  readonly nowMs: number
  readonly minSize: number
  readonly maxSize: number
  /** The group's desired capacity (its live count when it keeps none). */
  readonly desiredCapacity: number
  /** When each InService instance was launched, for warm-up. */
  readonly inServiceLaunchedAtMs: readonly number[]
  /** Pending (booting) instances. */
  readonly pending: number
  /** Average CPU over the InService instances (100 when load meets no instance). */
  readonly cpuPercent: number
  readonly latencyMs: number
}

export type PolicyAction =
  | { readonly kind: 'set-desired'; readonly desiredCapacity: number; readonly reason: string }
  | { readonly kind: 'execute-rule'; readonly ruleName: string; readonly reason: string }

export interface Policy {
  readonly name: string
  /** Called after every engine tick; returns what to ask the group for, if anything. */
  onTick(view: PolicyView): PolicyAction | null
}

/** Averages a metric over fixed periods (a CloudWatch-style period statistic), fed once a tick. */
export class PeriodAverage {
  readonly #periodMs: number
  #periodStartMs: number | null = null
  #sum = 0
  #count = 0

  constructor(periodSeconds: number) {
    this.#periodMs = periodSeconds * 1000
  }

  /** Adds a sample; returns the average of the period it closes, when it closes one. */
  add(nowMs: number, value: number): number | null {
    this.#periodStartMs ??= nowMs
    let closed: number | null = null
    if (nowMs - this.#periodStartMs >= this.#periodMs) {
      closed = this.#count > 0 ? this.#sum / this.#count : null
      this.#periodStartMs = nowMs
      this.#sum = 0
      this.#count = 0
    }
    this.#sum += value
    this.#count += 1
    return closed
  }
}
