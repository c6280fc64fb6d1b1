/**
 * Parameter types of the Tencent actions: the body is JSON, so numbers and booleans arrive as
 * such. Strings and lists are bounded like the cloud's.
 */
import { z } from 'zod'
import { BillowError } from '../../core/errors.ts'

export const text = (max = 256) => z.string().max(max)
export const id = z.string().min(1).max(128)
export const integer = (min: number, max: number) => z.number().int().min(min).max(max)
export const list = <T extends z.ZodType>(item: T, max: number) => z.array(item).min(1).max(max)

/** Accepted for compatibility and ignored (docs/api-tencent.md lists them per action). */
export const ignore = (names: readonly string[]) =>
  Object.fromEntries(names.map((name) => [name, z.unknown().optional()])) as Record<string, z.ZodOptional<z.ZodUnknown>>

export const LIMIT_MAX = 100
export const LIMIT_DEFAULT = 20
const OFFSET_MAX = 1_000_000
const FILTERS_MAX = 10
const FILTER_VALUES_MAX = 5

export const paging = { Offset: integer(0, OFFSET_MAX).optional(), Limit: integer(1, LIMIT_MAX).optional() }

export const filters = z
  .array(z.strictObject({ Name: text(64), Values: z.array(text(256)).min(1).max(FILTER_VALUES_MAX) }))
  .max(FILTERS_MAX)
  .optional()

export function page<T>(all: readonly T[], request: { Offset?: number; Limit?: number }) {
  const offset = request.Offset ?? 0
  return { items: all.slice(offset, offset + (request.Limit ?? LIMIT_DEFAULT)), TotalCount: all.length }
}

/**
 * The values each filter name asks for, checked against the names the action knows. Ids and
 * filters together are refused, as Tencent refuses them.
 */
export function readFilters(
  given: readonly { Name: string; Values: string[] }[] | undefined,
  known: readonly string[],
  ids: readonly string[] | undefined,
): Map<string, readonly string[]> {
  if (given && given.length > 0 && ids && ids.length > 0) {
    throw new BillowError('InvalidParameterValue', 'Filters: cannot be given together with ids', { field: 'Filters' })
  }
  const found = new Map<string, readonly string[]>()
  for (const [index, filter] of (given ?? []).entries()) {
    if (!known.includes(filter.Name)) {
      throw new BillowError(
        'InvalidParameterValue',
        `Filters.${index}.Name: "${filter.Name}" is not one of ${known.join(', ')}`,
        {
          field: `Filters.${index}.Name`,
        },
      )
    }
    found.set(filter.Name, filter.Values)
  }
  return found
}

/** Whether `value` passes the filter `name` (absent filters pass everything). */
export const passes = (selected: ReadonlyMap<string, readonly string[]>, name: string, value: string | null) => {
  const values = selected.get(name)
  return values === undefined || (value !== null && values.includes(value))
}

/** Tencent writes times as UTC ISO 8601 to the second. */
export const isoTime = (ms: number | null): string | undefined =>
  ms === null ? undefined : `${new Date(ms).toISOString().slice(0, 19)}Z`

/** UserData is base64 on the wire, up to 16 KB. */
export const userData = z
  .string()
  .max(16 * 1024)
  .regex(/^[A-Za-z0-9+/=\s]*$/, 'must be base64')
  .transform((value) => Buffer.from(value, 'base64').toString('utf8'))

export const securityGroupId = z.string().regex(/^sg-[0-9a-z-]{1,60}$/, 'must be a security group id (sg-…)')
export const subnetId = z.string().regex(/^subnet-[0-9a-z-]{1,60}$/, 'must be a subnet id (subnet-…)')
export const vpcId = z.string().regex(/^vpc-[0-9a-z-]{1,60}$/, 'must be a VPC id (vpc-…)')
