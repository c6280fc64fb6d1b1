/**
 * ARIs name scaling rules the way ESS does, so that scripts which execute a rule by its ARI
 * (`ari:acs:ess:cn-hangzhou:1406…:scalingrule/asr-…`) work against Billow unchanged.
 */
import { hasIdShape, type ScalingRuleId } from './ids.ts'

const ARI_PATTERN = /^ari:acs:ess:([a-z0-9-]+):([0-9a-z*]+):scalingrule\/(asr-[0-9a-z]+)$/

export const formatRuleAri = (options: { region: string; accountId: string; ruleId: ScalingRuleId }): string =>
  `ari:acs:ess:${options.region}:${options.accountId}:scalingrule/${options.ruleId}`

/** The rule id inside an ARI, or the id itself when given a bare id; undefined when neither. */
export function ruleIdFromReference(reference: string): ScalingRuleId | undefined {
  const match = ARI_PATTERN.exec(reference)
  const candidate = match ? match[3] : reference
  return candidate !== undefined && hasIdShape('scalingRule', candidate) ? (candidate as ScalingRuleId) : undefined
}
