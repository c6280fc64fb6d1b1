/**
 * Checks a cloud request's parameters against an action's schema and turns the first problem
 * into the BillowError that names it in the cloud's own spelling (ESS `InstanceId.1`, Tencent
 * `InstanceIds.0`): an unknown name first (the likeliest typo), then a missing one, then a bad
 * value.
 */
import type { z } from 'zod'
import { BillowError } from '../../core/errors.ts'

export type FieldNamer = (path: readonly PropertyKey[]) => string

export function parseParams<T>(schema: z.ZodType<T>, value: unknown, fieldName: FieldNamer): T {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issue =
    result.error.issues.find((candidate) => candidate.code === 'unrecognized_keys') ?? result.error.issues[0]
  if (!issue) throw new BillowError('InvalidParameterValue', 'the parameters are invalid')
  if (issue.code === 'unrecognized_keys') {
    const field = fieldName([...issue.path, issue.keys[0] ?? ''])
    throw new BillowError('UnknownParameter', `${field}: is not a parameter of this action`, { field })
  }
  const field = fieldName(issue.path)
  if (issue.code === 'invalid_type' && valueAt(value, issue.path) === undefined) {
    throw new BillowError('MissingParameter', `${field}: is required`, { field })
  }
  throw new BillowError('InvalidParameterValue', `${field}: ${issue.message}`, { field })
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<PropertyKey, unknown>)[key]
  }
  return current
}
