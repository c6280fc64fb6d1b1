/** Request shapes shared by alarms and target-tracking rules: what a metric selector looks like. */
import { z } from 'zod'
import { PROMQL_LENGTH_MAX } from '../../service/alarms.ts'

const TEXT_MAX = 256
const text = z.string().max(TEXT_MAX)

export const dimensionsSchema = z.record(z.string().max(TEXT_MAX), z.string().max(TEXT_MAX))

export const metricSelectorSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('Builtin'), name: text }),
  z.strictObject({ kind: z.literal('Custom'), namespace: text, name: text, dimensions: dimensionsSchema.default({}) }),
  z.strictObject({ kind: z.literal('PromQL'), query: z.string().max(PROMQL_LENGTH_MAX) }),
])

const bound = z.number().nullable()

export const stepAdjustmentsSchema = z
  .array(z.strictObject({ lowerBound: bound, upperBound: bound, adjustmentValue: z.number().int() }))
  .max(20)

export const targetTrackingSchema = z.strictObject({
  metric: metricSelectorSchema,
  targetValue: z.number(),
  disableScaleIn: z.boolean().default(false),
  instanceWarmupSeconds: z.number().int().default(60),
})
