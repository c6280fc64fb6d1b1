/**
 * Request shapes of the native REST API. Objects are strict: an unknown field is an error that
 * names it, not something silently ignored. Domain rules (min ≤ max, ids that exist) are the
 * services' to check; these only check shape and type.
 */
import { z } from 'zod'
import { ADJUSTMENT_TYPES, REMOVAL_POLICIES, RULE_TYPES } from '../../core/types.ts'
import { groupAttachmentFields } from './attachment-schemas.ts'
import { stepAdjustmentsSchema, targetTrackingSchema } from './metric-schemas.ts'

/** Strings in requests are short; a limit on everything. */
const TEXT_MAX = 256
const ID_MAX = 64

const id = z.string().min(1).max(ID_MAX)
const text = z.string().max(TEXT_MAX)
const stringMap = z.record(z.string().max(TEXT_MAX), z.string().max(4096))
const count = z.number().int()

export const registerImageBody = z.strictObject({
  name: text,
  directory: z.string().min(1).max(4096),
  command: z.array(z.string().max(4096)).min(1).max(64),
  healthPath: text.nullable().optional(),
})

const launchConfigurationFields = {
  name: text,
  imageId: id,
  instanceType: text.optional(),
  userData: z
    .string()
    .max(64 * 1024)
    .nullable()
    .optional(),
  env: stringMap.optional(),
  appPort: count.optional(),
  tags: stringMap.optional(),
}
export const createLaunchConfigurationBody = z.strictObject(launchConfigurationFields)
export const modifyLaunchConfigurationBody = z.strictObject(launchConfigurationFields).partial()

const zone = z.strictObject({ zoneId: text, subnet: text })
const removalPolicy = z.enum(REMOVAL_POLICIES)
export const createGroupBody = z.strictObject({
  name: text,
  minSize: count,
  maxSize: count,
  desiredCapacity: count.nullable().optional(),
  defaultCooldownSeconds: count.optional(),
  zones: z.array(zone).min(1).max(16),
  removalPolicies: z.array(removalPolicy).min(1).max(2).optional(),
  launchConfigurationId: id,
  ...groupAttachmentFields,
})
export const modifyGroupBody = createGroupBody.partial()

export const deleteGroupQuery = z.strictObject({ force: z.enum(['true', 'false']).optional() })

const instanceIds = z.array(id).min(1).max(100)
export const desiredCapacityBody = z.strictObject({ desiredCapacity: count, honorCooldown: z.boolean().optional() })
export const attachInstancesBody = z.strictObject({ instanceIds })
export const detachInstancesBody = z.strictObject({ instanceIds, decrementDesired: z.boolean().optional() })
export const removeInstancesBody = z.strictObject({ instanceIds, terminateAttached: z.boolean().optional() })
export const protectionBody = z.strictObject({ instanceIds, protected: z.boolean() })

const ruleFields = {
  groupId: id,
  name: text,
  adjustmentType: z.enum(ADJUSTMENT_TYPES),
  adjustmentValue: count,
  minAdjustmentMagnitude: count.nullable().optional(),
  cooldownSeconds: count.nullable().optional(),
  ruleType: z.enum(RULE_TYPES).optional(),
  stepAdjustments: stepAdjustmentsSchema.optional(),
  targetTracking: targetTrackingSchema.optional(),
}
export const createRuleBody = z.strictObject(ruleFields)
export const modifyRuleBody = z.strictObject(ruleFields).omit({ groupId: true }).partial()
export const executeRuleBody = z.strictObject({ ignoreCooldown: z.boolean().optional(), groupId: id.optional() })

export const runInstanceBody = z.strictObject({
  imageId: id.optional(),
  launchConfigurationId: id.optional(),
  instanceType: text.optional(),
})
export const listInstancesQuery = z.strictObject({ groupId: id.optional(), all: z.enum(['true', 'false']).optional() })
export const logsQuery = z.strictObject({
  maxBytes: z.coerce
    .number()
    .int()
    .min(1)
    .max(1024 * 1024)
    .optional(),
})

export const listActivitiesQuery = z.strictObject({
  groupId: id.optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
})
export const listRulesQuery = z.strictObject({ groupId: id.optional() })

export const createTokenBody = z.strictObject({ name: text, scope: z.enum(['full', 'read-only']).optional() })

export const emptyBody = z.strictObject({})
export const emptyQuery = z.strictObject({})
