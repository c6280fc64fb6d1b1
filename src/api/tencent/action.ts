/** One Tencent AS action: a schema over the JSON body and a handler that calls the services. */
import type { z } from 'zod'
import type { BillowErrorCode } from '../../core/errors.ts'
import type { Services } from '../../service/services.ts'
import type { CloudCatalog } from '../cloud/catalog.ts'

export interface TencentContext {
  readonly services: Services
  readonly catalog: CloudCatalog
  readonly region: string
}

export interface TencentAction {
  readonly name: string
  readonly params: z.ZodType
  readonly errors?: Partial<Record<BillowErrorCode, string>>
  readonly handle: (params: never, context: TencentContext) => Promise<object>
}

export function tencentAction<Schema extends z.ZodType>(spec: {
  name: string
  params: Schema
  errors?: Partial<Record<BillowErrorCode, string>>
  handle: (params: z.output<Schema>, context: TencentContext) => Promise<object>
}): TencentAction {
  return spec as unknown as TencentAction
}

export const isReadOnlyAction = (name: string): boolean => name.startsWith('Describe')
