import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatRuleAri, ruleIdFromReference } from './ari.ts'
import type { ScalingRuleId } from './ids.ts'

test('a rule is found by its ARI or its id, as ESS names it', () => {
  const ruleId = 'asr-bp1dvirgwkoowxk7' as ScalingRuleId
  const ari = formatRuleAri({ region: 'cn-hangzhou', accountId: '1406926474069999', ruleId })
  assert.equal(ari, 'ari:acs:ess:cn-hangzhou:1406926474069999:scalingrule/asr-bp1dvirgwkoowxk7')
  assert.equal(ruleIdFromReference(ari), ruleId)
  assert.equal(ruleIdFromReference(ruleId), ruleId)
  assert.equal(ruleIdFromReference('ari:acs:ess:cn-hangzhou:140692647406****:scalingrule/asr-bp1dvirgwkoowxk7'), ruleId)
  assert.equal(ruleIdFromReference('asg-123'), undefined)
  assert.equal(ruleIdFromReference('ari:acs:ecs:x:1:instance/i-1'), undefined)
})
