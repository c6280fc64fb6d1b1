/**
 * Step scaling: the adjustment depends on how far past the alarm's threshold the metric is.
 * Each step covers [lowerBound, upperBound) of the distance `value − threshold` (null: unbounded
 * on that side), as in AWS's step adjustments and Tencent's; the steps of one rule must not
 * overlap. The chosen step's adjustment is then applied like a simple rule's. Pure.
 */

export interface StepAdjustment {
  /** Inclusive; null: no lower bound. */
  readonly lowerBound: number | null
  /** Exclusive; null: no upper bound. */
  readonly upperBound: number | null
  readonly adjustmentValue: number
}

/** The step whose interval holds `value − threshold`; undefined when none does. */
export function chooseStep(
  steps: readonly StepAdjustment[],
  value: number,
  threshold: number,
): StepAdjustment | undefined {
  const distance = value - threshold
  return steps.find(
    (step) =>
      (step.lowerBound === null || distance >= step.lowerBound) &&
      (step.upperBound === null || distance < step.upperBound),
  )
}

/** Why a set of steps is unusable, or null: bounds ordered, at most one unbounded side each, no overlap. */
export function stepsProblem(steps: readonly StepAdjustment[]): string | null {
  if (steps.length === 0) return 'a step rule needs at least one step'
  for (const step of steps) {
    if (step.lowerBound !== null && step.upperBound !== null && step.lowerBound >= step.upperBound) {
      return `a step's lower bound ${step.lowerBound} must be below its upper bound ${step.upperBound}`
    }
  }
  const sorted = steps.toSorted((a, b) => (a.lowerBound ?? -Infinity) - (b.lowerBound ?? -Infinity))
  for (let index = 1; index < sorted.length; index += 1) {
    const previous = sorted[index - 1] as StepAdjustment
    const current = sorted[index] as StepAdjustment
    if (previous.upperBound === null || current.lowerBound === null || previous.upperBound > current.lowerBound) {
      return 'steps overlap'
    }
  }
  return null
}
