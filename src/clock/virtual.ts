import type { Clock } from '../ports/clock.ts'

interface Sleeper {
  readonly wakeAtMs: number
  readonly resolve: () => void
}

/**
 * A clock that moves only when told to (`advance`), for engine tests and the simulator: hours
 * of scaling run in milliseconds, and the same seed replays the same run.
 */
export class VirtualClock implements Clock {
  #nowMs: number
  #sleepers: Sleeper[] = []

  constructor(startMs: number) {
    this.#nowMs = startMs
  }

  nowMs(): number {
    return this.#nowMs
  }

  sleep(durationMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted || durationMs <= 0) return resolve()
      const sleeper: Sleeper = { wakeAtMs: this.#nowMs + durationMs, resolve }
      this.#sleepers.push(sleeper)
      signal?.addEventListener(
        'abort',
        () => {
          this.#sleepers = this.#sleepers.filter((s) => s !== sleeper)
          resolve()
        },
        { once: true },
      )
    })
  }

  /** Moves time forward and wakes every sleeper whose time has come, in order. */
  advance(durationMs: number): void {
    this.#nowMs += durationMs
    const due = this.#sleepers.filter((s) => s.wakeAtMs <= this.#nowMs).sort((a, b) => a.wakeAtMs - b.wakeAtMs)
    this.#sleepers = this.#sleepers.filter((s) => s.wakeAtMs > this.#nowMs)
    for (const sleeper of due) sleeper.resolve()
  }
}
