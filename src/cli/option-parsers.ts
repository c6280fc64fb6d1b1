/**
 * The argument parsers of `args.ts` in the shape commander wants: `(value, previous) => next`,
 * throwing InvalidArgumentError so commander names the option in its message and we exit 2.
 * Repeatable options start from `undefined`, which keeps "not given" apart from "given empty"
 * for PATCH requests.
 */
import { InvalidArgumentError } from 'commander'
import { REMOVAL_POLICIES, type RemovalPolicyName, type Zone } from '../core/types.ts'
import { parseChoice, parseInteger, parseKeyValue, parseZone } from './args.ts'
import { UsageError } from './errors.ts'

/** The API keeps at most two removal policies, applied in order. */
export const REMOVAL_POLICIES_MAX = 2

export function asInvalidArgument<T>(parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    if (error instanceof UsageError) throw new InvalidArgumentError(error.message)
    throw error
  }
}

export const integerArgument =
  (what: string, min = 0) =>
  (value: string): number =>
    asInvalidArgument(() => parseInteger(value, what, { min }))

export function collectKeyValue(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const [key, item] = asInvalidArgument(() => parseKeyValue(value))
  return { ...previous, [key]: item }
}

export function collectZone(value: string, previous: Zone[] | undefined): Zone[] {
  const zone = asInvalidArgument(() => parseZone(value))
  return [...(previous ?? []), zone]
}

export function collectRemovalPolicy(value: string, previous: RemovalPolicyName[] | undefined): RemovalPolicyName[] {
  const policy = asInvalidArgument(() => parseChoice(value, REMOVAL_POLICIES, 'removal policy'))
  const next = [...(previous ?? []), policy]
  if (next.length > REMOVAL_POLICIES_MAX) {
    throw new InvalidArgumentError(`at most ${REMOVAL_POLICIES_MAX} removal policies, applied in order`)
  }
  return next
}
