/**
 * New ids. Live: crypto randomness (ids/random-ids.ts). In the simulator: a seeded sequence,
 * so a run replays from its seed.
 */
import type { IdKind } from '../core/ids.ts'

export interface IdSource {
  /** A fresh id with the kind's prefix (asg-, asa-, …); never repeats. */
  next(kind: IdKind): string
}
