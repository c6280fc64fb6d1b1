/** How ESS writes times, lists and pages in its answers. */
import { PAGE_SIZE_DEFAULT } from './param-types.ts'

/** `2014-08-14T10:58Z`: most ESS times are to the minute. */
export const minuteTime = (ms: number | null): string | undefined =>
  ms === null ? undefined : `${new Date(ms).toISOString().slice(0, 16)}Z`

/** `2014-08-14T10:58:12Z`: the newer fields (CreatedTime) have seconds. */
export const secondTime = (ms: number | null): string | undefined =>
  ms === null ? undefined : `${new Date(ms).toISOString().slice(0, 19)}Z`

/** ESS wraps lists in a plural holding a singular array: {"ScalingGroups": {"ScalingGroup": [...]}}. */
export const wrapped = <T>(plural: string, singular: string, items: readonly T[]) => ({
  [plural]: { [singular]: items },
})

export interface Page<T> {
  readonly items: readonly T[]
  readonly fields: { TotalCount: number; PageNumber: number; PageSize: number }
}

export function page<T>(all: readonly T[], request: { PageNumber?: number; PageSize?: number }): Page<T> {
  const pageNumber = request.PageNumber ?? 1
  const pageSize = request.PageSize ?? PAGE_SIZE_DEFAULT
  const start = (pageNumber - 1) * pageSize
  return {
    items: all.slice(start, start + pageSize),
    fields: { TotalCount: all.length, PageNumber: pageNumber, PageSize: pageSize },
  }
}

/** Drops undefined fields so that JSON shows absent ones as absent, not as null. */
export const defined = <T extends object>(record: T): T =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T
