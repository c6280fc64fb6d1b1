/** Builds a scenario's group in a world through the services: the group, its rules by name, its scheduled tasks. */
import type { ScalingGroupId, ScalingRuleId } from '../../src/core/ids.ts'
import type { World } from '../world.ts'
import type { Scenario } from './schema.ts'

export async function setUpGroup(
  world: World,
  scenario: Scenario,
): Promise<{ groupId: ScalingGroupId; ruleIds: ReadonlyMap<string, ScalingRuleId> }> {
  const { group } = scenario
  const groupId = await world.createGroup({
    minSize: group.minSize,
    maxSize: group.maxSize,
    desiredCapacity: group.desiredCapacity ?? null,
    defaultCooldownSeconds: group.defaultCooldownSeconds,
    ...(group.removalPolicies ? { removalPolicies: group.removalPolicies } : {}),
  })
  const ruleIds = new Map<string, ScalingRuleId>()
  for (const rule of scenario.rules) {
    const created = await world.services.rules.create({
      groupId,
      name: rule.name,
      adjustmentType: rule.adjustmentType,
      adjustmentValue: rule.adjustmentValue,
      minAdjustmentMagnitude: rule.minAdjustmentMagnitude ?? null,
      cooldownSeconds: rule.cooldownSeconds ?? null,
    })
    ruleIds.set(rule.name, created.id as ScalingRuleId)
  }
  for (const task of scenario.scheduledTasks) {
    const ruleId = task.rule === undefined ? undefined : ruleIds.get(task.rule)
    if (task.rule !== undefined && ruleId === undefined)
      throw new Error(`scheduled task ${task.name}: no rule ${task.rule}`)
    await world.services.scheduledTasks.create({
      groupId,
      name: task.name,
      timeZone: task.timeZone,
      launchTime: task.launchTime,
      recurrence: task.recurrence ?? null,
      launchExpirationSeconds: task.launchExpirationSeconds,
      action: ruleId
        ? { kind: 'ExecuteRule', ruleId }
        : {
            kind: 'SetGroupSize',
            minSize: task.setSize?.minSize ?? null,
            maxSize: task.setSize?.maxSize ?? null,
            desiredCapacity: task.setSize?.desiredCapacity ?? null,
          },
    })
  }
  return { groupId, ruleIds }
}
