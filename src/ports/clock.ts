/**
 * Time, injected. The engine never calls Date.now() or setTimeout itself: live it gets
 * clock/system, in tests and the simulator clock/virtual, which only moves when told to.
 */
export interface Clock {
  /** Epoch milliseconds. */
  nowMs(): number
  /**
   * Resolves after `durationMs` of this clock's time, or earlier when `signal` aborts
   * (it then resolves, it does not reject: waking up early is the point of aborting).
   */
  sleep(durationMs: number, signal?: AbortSignal): Promise<void>
}
