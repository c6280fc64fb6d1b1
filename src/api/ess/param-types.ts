/**
 * Parameter types of the ESS actions. Every value arrives as a string; these check its form and
 * turn it into the number, boolean or list the services take. Strings are bounded like the
 * cloud's (names 64, descriptions 256, user data 16 KiB base64).
 */
import { z } from 'zod'

export const text = (max = 256) => z.string().max(max)
export const id = z.string().min(1).max(128)

export const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d{1,10}$/, 'must be an integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))

export const boolean = z
  .string()
  .regex(/^(true|false)$/i, 'must be true or false')
  .transform((value) => value.toLowerCase() === 'true')

export const list = <T extends z.ZodType>(item: T, max: number) => z.array(item).min(1).max(max)

/** LoadBalancerIds and DBInstanceIds are one string holding a JSON array of ids. */
export const jsonIdList = (max: number) =>
  z
    .string()
    .max(4096)
    .transform((value, context) => {
      try {
        const parsed: unknown = JSON.parse(value)
        if (Array.isArray(parsed) && parsed.length <= max && parsed.every((item) => typeof item === 'string')) {
          return parsed as string[]
        }
      } catch {
        // reported below
      }
      context.addIssue({ code: 'custom', message: `must be a JSON array of at most ${max} ids` })
      return z.NEVER
    })

/** Accepted for compatibility and ignored (docs/api-ess.md lists them per action). */
export const ignored = z.unknown()

export const ignore = (names: readonly string[]) =>
  Object.fromEntries(names.map((name) => [name, ignored.optional()])) as Record<string, z.ZodOptional<typeof ignored>>

/** ESS paging: PageNumber from 1, PageSize 1–50 (default 10). */
export const PAGE_SIZE_MAX = 50
export const PAGE_SIZE_DEFAULT = 10
export const PAGE_NUMBER_MAX = 100_000
export const paging = {
  PageNumber: integer(1, PAGE_NUMBER_MAX).optional(),
  PageSize: integer(1, PAGE_SIZE_MAX).optional(),
}
