/** Turns a schema failure into the one BillowError that best names what is wrong. */
import type { z } from 'zod'
import { BillowError } from '../../core/errors.ts'

export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, where: 'body' | 'query'): T {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  // An unknown field is the likeliest mistake (a typo), so it is reported before anything else.
  const issue =
    result.error.issues.find((candidate) => candidate.code === 'unrecognized_keys') ?? result.error.issues[0]
  if (!issue) throw new BillowError('InvalidParameterValue', `${where} is invalid`)
  if (issue.code === 'unrecognized_keys') {
    const field = [...issue.path, issue.keys[0]].join('.')
    return unknownField(field, where)
  }
  const field = issue.path.join('.') || where
  if (issue.code === 'invalid_type' && valueAt(value, issue.path) === undefined) {
    throw new BillowError('MissingParameter', `${field}: is required`, { field })
  }
  throw new BillowError('InvalidParameterValue', `${field}: ${issue.message}`, { field })
}

function unknownField(field: string, where: string): never {
  throw new BillowError('UnknownParameter', `${field}: is not a field of this ${where}`, { field })
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<PropertyKey, unknown>)[key]
  }
  return current
}
