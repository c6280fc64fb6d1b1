/**
 * Runs a backend's active health check every interval and turns consecutive results into a
 * verdict, by the check's thresholds:
 *
 *   checking ──healthyThreshold passes in a row──▶ healthy ──unhealthyThreshold failures──▶ unhealthy
 *       └──────unhealthyThreshold failures in a row──────▶ unhealthy ──healthyThreshold passes──▶ healthy
 *
 * The first probe runs at once, so a new backend can take traffic after (threshold − 1) intervals.
 * A checker recovered from state.json starts from the verdict saved there.
 */
import type { BackendHealth, HealthCheck } from '../../core/load-balancer.ts'
import { type ProbeTarget, probeOnce } from './health-probe.ts'

/** Shortest interval between probes, in milliseconds: a mistyped 0 must not spin the data plane. */
const INTERVAL_MS_MIN = 50

export interface HealthChecker {
  readonly health: BackendHealth
  stop(): void
}

export interface HealthCheckerOptions {
  readonly target: () => ProbeTarget
  readonly check: HealthCheck
  readonly initial: BackendHealth
  /** Called on every change of verdict, after `health` shows it. */
  readonly onChange: (health: BackendHealth) => void
}

export function startHealthChecker(options: HealthCheckerOptions): HealthChecker {
  const { check } = options
  const intervalMs = Math.max(INTERVAL_MS_MIN, Math.round(check.intervalSeconds * 1000))
  let health = options.initial
  let passesInRow = 0
  let failuresInRow = 0
  let stopped = false
  let timer: NodeJS.Timeout | undefined

  function judge(passed: boolean): void {
    if (passed) {
      passesInRow++
      failuresInRow = 0
    } else {
      failuresInRow++
      passesInRow = 0
    }
    let verdict = health
    if (passesInRow >= check.healthyThreshold) verdict = 'healthy'
    else if (failuresInRow >= check.unhealthyThreshold) verdict = 'unhealthy'
    if (verdict !== health) {
      health = verdict
      options.onChange(verdict)
    }
  }

  async function round(): Promise<void> {
    const startedMs = Date.now()
    const passed = await probeOnce(options.target(), check)
    if (stopped) return
    judge(passed)
    timer = setTimeout(round, Math.max(0, intervalMs - (Date.now() - startedMs)))
  }

  void round()
  return {
    get health() {
      return health
    },
    stop() {
      stopped = true
      clearTimeout(timer)
    },
  }
}
