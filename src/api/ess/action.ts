/**
 * One ESS action: its parameters (a schema over the unflattened request) and a handler that
 * translates them into service calls and the answer's fields. Handlers decide nothing the REST
 * API does not: they translate.
 */
import type { z } from 'zod'
import type { BillowErrorCode } from '../../core/errors.ts'
import type { Services } from '../../service/services.ts'
import type { CloudCatalog } from '../cloud/catalog.ts'
import type { EssError } from './error-codes.ts'

export interface EssContext {
  readonly services: Services
  readonly catalog: CloudCatalog
  readonly region: string
  readonly accountId: string
  /** The Host the client addressed, for DescribeRegions' endpoint. */
  readonly host: string
}

export interface EssAction {
  readonly name: string
  readonly params: z.ZodType
  /** More precise ESS codes for some Billow codes, in this action only. */
  readonly errors?: Partial<Record<BillowErrorCode, EssError>>
  readonly handle: (params: never, context: EssContext) => Promise<object>
}

export function essAction<Schema extends z.ZodType>(spec: {
  name: string
  params: Schema
  errors?: Partial<Record<BillowErrorCode, EssError>>
  handle: (params: z.output<Schema>, context: EssContext) => Promise<object>
}): EssAction {
  return spec as unknown as EssAction
}

/** Describe* actions only read; they are all a read-only access key may call. */
export const isReadOnlyAction = (name: string): boolean => name.startsWith('Describe')
