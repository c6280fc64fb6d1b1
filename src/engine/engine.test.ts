/**
 * The engine on a virtual clock with the simulated provider: the behaviour of issue 2 in
 * milliseconds. Real processes are exercised by test/*.test.ts.
 */
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { createWorld, type World } from '../../sim/world.ts'
import type { InstanceId, ScalingGroupId, ScalingRuleId } from '../core/ids.ts'
import { isTerminalStatus } from '../core/types.ts'

let world: World
beforeEach(async () => {
  world = await createWorld({ seed: 1 })
})
afterEach(async () => {
  await world.close()
})

async function settle(groupId: ScalingGroupId, count: number): Promise<void> {
  await world.runUntil(async () => {
    const members = await world.liveMembers(groupId)
    const busy = await world.store.activities.list({ groupId, statuses: ['Queued', 'InProgress'] })
    return busy.length === 0 && members.length === count && members.every((member) => member.state === 'InService')
  })
}

async function activitiesOf(groupId: ScalingGroupId) {
  return world.store.activities.list({ groupId })
}

describe('fixed-number mode', () => {
  test('the group converges to desired, then to changed bounds, without cooldown blocking it', async () => {
    const groupId = await world.createGroup({
      minSize: 1,
      maxSize: 6,
      desiredCapacity: 3,
      defaultCooldownSeconds: 3600,
    })
    await settle(groupId, 3)
    const zones = (await world.liveMembers(groupId)).map((member) => member.zoneId).sort()
    assert.deepEqual(zones, ['zone-a', 'zone-a', 'zone-b'], 'launches spread over zones')
    await world.services.groups.modify(groupId, { desiredCapacity: null, minSize: 5 })
    await settle(groupId, 5)
    await world.services.groups.modify(groupId, { maxSize: 2, minSize: 1 })
    await settle(groupId, 2)
  })

  test('each instance has its own address from its zone subnet', async () => {
    const groupId = await world.createGroup({ desiredCapacity: 4 })
    await settle(groupId, 4)
    const members = await world.liveMembers(groupId)
    assert.equal(new Set(members.map((member) => member.privateIp)).size, 4)
    for (const member of members) {
      assert.match(member.privateIp, member.zoneId === 'zone-a' ? /^10\.1\.1\./ : /^10\.1\.2\./)
    }
  })
})

describe('rule execution and cooldown', () => {
  test('a rule changes capacity, starts cooldown, and a run during cooldown is Rejected with its reason', async () => {
    const groupId = await world.createGroup({ desiredCapacity: 2, defaultCooldownSeconds: 300 })
    await settle(groupId, 2)
    const rule = await world.services.rules.create({
      groupId,
      name: 'out',
      adjustmentType: 'QuantityChangeInCapacity',
      adjustmentValue: 2,
    })
    const first = await world.services.rules.execute(rule.ari, { ignoreCooldown: false })
    await settle(groupId, 4)
    const group = await world.services.groups.get(groupId)
    assert.equal(group.desiredCapacity, 4)
    assert.equal(group.inCooldown, true)
    const finished = await world.store.activities.get(first.id)
    assert.equal(finished?.status, 'Successful')
    assert.equal(group.cooldownUntilMs, (finished?.endedAtMs ?? 0) + 300_000)

    const refused = await world.services.rules.execute(rule.id, { ignoreCooldown: false })
    await world.step()
    const rejected = await world.store.activities.get(refused.id)
    assert.equal(rejected?.status, 'Rejected')
    assert.match(rejected?.statusMessage ?? '', /cooldown until/)
    assert.equal((await world.liveMembers(groupId)).length, 4)

    await world.services.rules.execute(rule.id, { ignoreCooldown: true })
    await settle(groupId, 6)
  })

  test('a rule that cannot change capacity is Rejected, never dropped', async () => {
    const groupId = await world.createGroup({ desiredCapacity: 2, maxSize: 2, defaultCooldownSeconds: 0 })
    await settle(groupId, 2)
    const rule = await world.services.rules.create({
      groupId,
      name: 'out',
      adjustmentType: 'QuantityChangeInCapacity',
      adjustmentValue: 1,
    })
    const activity = await world.services.rules.execute(rule.id, { ignoreCooldown: false })
    await world.step()
    const rejected = await world.store.activities.get(activity.id)
    assert.equal(rejected?.status, 'Rejected')
    assert.match(rejected?.statusMessage ?? '', /max size 2/)
  })

  test('percent rules round like the clouds and honour MinAdjustmentMagnitude', async () => {
    const groupId = await world.createGroup({ desiredCapacity: 3, defaultCooldownSeconds: 0 })
    await settle(groupId, 3)
    const half = await world.services.rules.create({
      groupId,
      name: 'half',
      adjustmentType: 'PercentChangeInCapacity',
      adjustmentValue: 50,
    })
    await world.services.rules.execute(half.id, { ignoreCooldown: false })
    await settle(groupId, 4) // 3 × 50% = 1.5 → 1
    await world.services.rules.modify(half.id, { minAdjustmentMagnitude: 3 })
    await world.services.rules.execute(half.id, { ignoreCooldown: false })
    await settle(groupId, 7) // 4 × 50% = 2 → lifted to 3
  })
})

describe('the per-group queue', () => {
  test('requests that arrive during an activity wait and run in order, each from the capacity of its time', async () => {
    const groupId = await world.createGroup({ desiredCapacity: 1, defaultCooldownSeconds: 0 })
    await settle(groupId, 1)
    const rule = await world.services.rules.create({
      groupId,
      name: 'plus-one',
      adjustmentType: 'QuantityChangeInCapacity',
      adjustmentValue: 1,
    })
    const ids = []
    for (let index = 0; index < 3; index += 1)
      ids.push((await world.services.rules.execute(rule.id, { ignoreCooldown: false })).id)
    assert.equal((await world.services.activities.queue(groupId)).length, 3)
    await settle(groupId, 4)
    const finished = await Promise.all(ids.map((id) => world.store.activities.get(id)))
    assert.deepEqual(
      finished.map((activity) => activity?.status),
      ['Successful', 'Successful', 'Successful'],
    )
    assert.deepEqual(
      finished.map((activity) => activity?.plan?.capacityAfter),
      [2, 3, 4],
    )
  })

  test('the queue is bounded', async () => {
    const groupId = await world.createGroup({ desiredCapacity: 0 })
    const rule = await world.services.rules.create({
      groupId,
      name: 'r',
      adjustmentType: 'TotalCapacity',
      adjustmentValue: 1,
    })
    for (let index = 0; index < 32; index += 1) await world.services.rules.execute(rule.id, { ignoreCooldown: true })
    await assert.rejects(world.services.rules.execute(rule.id, { ignoreCooldown: true }), { code: 'QueueFull' })
  })
})

describe('health mode', () => {
  test('a dead instance is replaced within two ticks, protected or not, and the activity says so', async () => {
    const groupId = await world.createGroup({ desiredCapacity: 2 })
    await settle(groupId, 2)
    const [victim] = await world.liveMembers(groupId)
    assert.ok(victim)
    await world.services.groups.setProtection(groupId, [victim.id], true)
    world.provider.crash(victim.id, 'exit code 137')
    await world.step()
    await world.step()
    const recovery = (await activitiesOf(groupId)).find((activity) => activity.request.kind === 'ElasticRecovery')
    assert.ok(recovery, 'an elastic-recovery activity started')
    assert.match(recovery.cause, /exit code 137/)
    assert.match(recovery.description, /protection guards against scale-in only/)
    await settle(groupId, 2)
    assert.equal((await world.store.instances.get(victim.id))?.state, 'Terminated')
  })
})

describe('scale-in', () => {
  test('removal policies choose, and a protected instance is never chosen', async () => {
    const groupId = await world.createGroup({ desiredCapacity: 2, removalPolicies: ['OldestInstance'] })
    await settle(groupId, 2)
    await world.services.groups.modify(groupId, { desiredCapacity: 4 })
    await settle(groupId, 4)
    const byAge = [...(await world.liveMembers(groupId))].sort((a, b) => a.createdAtMs - b.createdAtMs)
    const oldest = byAge.slice(0, 2).map((instance) => instance.id)
    await world.services.groups.setProtection(groupId, oldest, true)
    await world.services.capacity.setDesiredCapacity(groupId, 2, { honorCooldown: false })
    await settle(groupId, 2)
    assert.deepEqual((await world.liveMembers(groupId)).map((instance) => instance.id).sort(), [...oldest].sort())
  })

  test('attached instances join as Attached and leave detached, still running, unless asked to terminate', async () => {
    const groupId = await world.createGroup({ desiredCapacity: 1 })
    await settle(groupId, 1)
    const lc = (await world.services.launchConfigurations.list())[0]
    assert.ok(lc)
    const standalone = await world.services.instances.run({ launchConfigurationId: lc.id })
    await world.runUntil(async () => (await world.store.instances.get(standalone.id))?.state === 'InService')
    await world.services.capacity.attachInstances(groupId, [standalone.id])
    await settle(groupId, 2)
    const attached = await world.store.instances.get(standalone.id)
    assert.equal(attached?.joinedBy, 'Attached')
    assert.equal((await world.services.groups.get(groupId)).desiredCapacity, 2)

    await world.services.capacity.removeInstances(groupId, [standalone.id], { terminateAttached: false })
    await settle(groupId, 1)
    const detached = await world.store.instances.get(standalone.id)
    assert.equal(detached?.groupId, null)
    assert.equal(detached?.state, 'InService')
    assert.ok(
      (await world.provider.list()).some(
        (observed) => observed.instanceId === standalone.id && observed.state === 'running',
      ),
    )

    await world.services.capacity.attachInstances(groupId, [standalone.id])
    await settle(groupId, 2)
    await world.services.capacity.removeInstances(groupId, [standalone.id], { terminateAttached: true })
    await settle(groupId, 1)
    assert.equal((await world.store.instances.get(standalone.id))?.state, 'Terminated')
  })

  test('a forced delete drains the group, protected instances included, then removes it', async () => {
    const groupId = await world.createGroup({ desiredCapacity: 3 })
    await settle(groupId, 3)
    const [first] = await world.liveMembers(groupId)
    await world.services.groups.setProtection(groupId, [first?.id as InstanceId], true)
    await assert.rejects(world.services.groups.remove(groupId, { force: false }), { code: 'ScalingGroupNotEmpty' })
    await world.services.groups.remove(groupId, { force: true })
    await world.runUntil(async () => (await world.store.groups.get(groupId)) === undefined)
    assert.equal((await world.provider.list()).length, 0)
  })
})

describe('crash safety', () => {
  for (const crashAfterTicks of [0, 1, 2, 3, 5]) {
    test(`a controller restart ${crashAfterTicks} tick(s) into a scale-out by 5 launches nothing twice`, async () => {
      const groupId = await world.createGroup({ desiredCapacity: 0, defaultCooldownSeconds: 0 })
      const rule = await world.services.rules.create({
        groupId,
        name: 'five',
        adjustmentType: 'QuantityChangeInCapacity',
        adjustmentValue: 5,
      })
      await world.services.rules.execute(rule.id as ScalingRuleId, { ignoreCooldown: false })
      for (let tick = 0; tick < crashAfterTicks; tick += 1) await world.step()
      world.restartEngine()
      await settle(groupId, 5)
      const running = (await world.provider.list()).filter((observed) => observed.state === 'running')
      const members = await world.liveMembers(groupId)
      assert.equal(running.length, 5)
      assert.deepEqual(running.map((observed) => observed.instanceId).sort(), members.map((member) => member.id).sort())
      for (const activity of await activitiesOf(groupId)) assert.ok(isTerminalStatus(activity.status), activity.id)
    })
  }
})
