/**
 * Seed 004's scale-out and scale-in workflow on the virtual world: allowlists and balancers
 * joined before InService, drained and revoked around termination, nothing half attached.
 * The real drivers are tested in src/balancers/* and src/allowlists/*, end to end in test/.
 */
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { createWorld, type World } from '../../sim/world.ts'
import type { DatabaseId, InstanceId, LoadBalancerId, ScalingGroupId } from '../core/ids.ts'

let world: World
beforeEach(async () => {
  world = await createWorld({ seed: 7 })
})
afterEach(async () => {
  await world.close()
})

async function fixtures() {
  const loadBalancer = await world.services.loadBalancers.create({
    name: 'web',
    listeners: [{ protocol: 'HTTP', port: 8000 }],
    drainSeconds: 20,
  })
  const database = await world.services.databases.create({
    name: 'orders',
    engine: 'postgres',
    host: '127.0.0.1',
    port: 5432,
    adminUser: 'postgres',
    adminPassword: 'secret',
    clientUser: 'app',
  })
  return { loadBalancerId: loadBalancer.id as LoadBalancerId, databaseId: database.id as DatabaseId }
}

const settled = (groupId: ScalingGroupId, count: number) => async () => {
  const members = await world.liveMembers(groupId)
  const busy = await world.store.activities.list({ groupId, statuses: ['Queued', 'InProgress'] })
  return busy.length === 0 && members.length === count && members.every((member) => member.state === 'InService')
}

const backendsOf = async (loadBalancerId: LoadBalancerId) =>
  [...(await world.balancer.backends(loadBalancerId)).keys()].sort()

describe('scale-out', () => {
  test('an instance is allowlisted and registered, and InService only once the balancer says healthy', async () => {
    const { loadBalancerId, databaseId } = await fixtures()
    const groupId = await world.createGroup({
      desiredCapacity: 1,
      loadBalancers: [{ loadBalancerId, port: null, weight: 10 }],
      databaseIds: [databaseId],
    })
    let sawRegisteredPending = false
    await world.runUntil(async () => {
      const [member] = await world.liveMembers(groupId)
      if (member?.state === 'Pending' && member.registeredLoadBalancerIds.length === 1) {
        sawRegisteredPending = true
        assert.ok(world.allowlist.allows(databaseId, member.privateIp), 'allowlisted before it is registered')
      }
      return settled(groupId, 1)()
    })
    assert.ok(sawRegisteredPending, 'the instance waited for the balancer check while Pending')
    const [member] = await world.liveMembers(groupId)
    assert.ok(member)
    assert.deepEqual(await backendsOf(loadBalancerId), [member.id])
    assert.equal((await world.balancer.backends(loadBalancerId)).get(member.id), 'healthy')
    assert.ok(world.allowlist.allows(databaseId, member.privateIp))
  })

  test('an unreachable database fails the launch with its reason, and leaves nothing half attached', async () => {
    const { loadBalancerId, databaseId } = await fixtures()
    world.allowlist.setReachable(databaseId, false)
    const groupId = await world.createGroup({
      desiredCapacity: 1,
      loadBalancers: [{ loadBalancerId, port: null, weight: 10 }],
      databaseIds: [databaseId],
    })
    await world.runUntil(async () =>
      (await world.store.activities.list({ groupId })).some((a) => a.status === 'Failed'),
    )
    const failed = (await world.store.activities.list({ groupId })).find((activity) => activity.status === 'Failed')
    assert.match(failed?.statusMessage ?? '', /database orders \(db-[0-9a-z]+\): .*does not answer/)
    const [instance] = await world.store.instances.list({ groupId })
    assert.equal(instance?.state, 'Terminated')
    assert.deepEqual(instance?.registeredLoadBalancerIds, [])
    assert.deepEqual(await backendsOf(loadBalancerId), [])
    assert.equal((await world.provider.list()).length, 0)
  })
})

describe('scale-in', () => {
  test('deregister and drain first, terminate, then revoke', async () => {
    const { loadBalancerId, databaseId } = await fixtures()
    const groupId = await world.createGroup({
      desiredCapacity: 2,
      removalPolicies: ['NewestInstance'],
      loadBalancers: [{ loadBalancerId, port: null, weight: 10 }],
      databaseIds: [databaseId],
    })
    await world.runUntil(settled(groupId, 2))
    const newest = [...(await world.liveMembers(groupId))].sort((a, b) => b.createdAtMs - a.createdAtMs)[0]
    assert.ok(newest)
    world.balancer.setActiveConnections(loadBalancerId, newest.id, 3)
    await world.services.capacity.setDesiredCapacity(groupId, 1, { honorCooldown: false })
    for (let tick = 0; tick < 5; tick += 1) await world.step()
    const draining = await world.store.instances.get(newest.id)
    assert.equal(draining?.state, 'Removing')
    assert.ok(
      (await world.provider.list()).some((o) => o.instanceId === newest.id && o.state === 'running'),
      'still running while it drains',
    )
    assert.ok(world.allowlist.allows(databaseId, newest.privateIp), 'still allowlisted while it drains')
    world.balancer.setActiveConnections(loadBalancerId, newest.id, 0)
    await world.runUntil(settled(groupId, 1))
    assert.equal((await world.store.instances.get(newest.id))?.state, 'Terminated')
    assert.ok(!world.allowlist.allows(databaseId, newest.privateIp), 'revoked after termination')
    assert.ok(!(await backendsOf(loadBalancerId)).includes(newest.id))
  })

  test('a drain ends after drainSeconds even with connections left', async () => {
    const { loadBalancerId } = await fixtures()
    const groupId = await world.createGroup({
      desiredCapacity: 1,
      loadBalancers: [{ loadBalancerId, port: null, weight: 10 }],
    })
    await world.runUntil(settled(groupId, 1))
    const [member] = await world.liveMembers(groupId)
    world.balancer.setActiveConnections(loadBalancerId, member?.id as InstanceId, 5)
    await world.services.capacity.setDesiredCapacity(groupId, 0, { honorCooldown: false })
    await world.runUntil(settled(groupId, 0), { ticksMax: 30 })
    assert.equal((await world.store.instances.get(member?.id as InstanceId))?.state, 'Terminated')
  })
})

describe('attachments change on a running group', () => {
  test('attaching registers current instances; detaching deregisters and revokes them', async () => {
    const { loadBalancerId, databaseId } = await fixtures()
    const groupId = await world.createGroup({ desiredCapacity: 2 })
    await world.runUntil(settled(groupId, 2))
    await world.services.groups.modify(groupId, {
      loadBalancers: [{ loadBalancerId, port: null, weight: 5 }],
      databaseIds: [databaseId],
    })
    await world.step()
    const members = await world.liveMembers(groupId)
    assert.deepEqual(await backendsOf(loadBalancerId), members.map((m) => m.id).sort())
    for (const member of members) assert.ok(world.allowlist.allows(databaseId, member.privateIp))
    await world.services.groups.modify(groupId, { loadBalancers: [], databaseIds: [] })
    await world.step()
    await world.step()
    assert.deepEqual(await backendsOf(loadBalancerId), [])
    for (const member of members) assert.ok(!world.allowlist.allows(databaseId, member.privateIp))
  })

  test('a balancer attached to a group cannot be deleted', async () => {
    const { loadBalancerId } = await fixtures()
    await world.createGroup({ loadBalancers: [{ loadBalancerId, port: null, weight: 1 }] })
    await assert.rejects(world.services.loadBalancers.remove(loadBalancerId), { code: 'LoadBalancerInUse' })
  })
})

describe('health checks by the balancer', () => {
  test('with the LoadBalancer check type, a member failing the check after its grace period is replaced', async () => {
    const { loadBalancerId } = await fixtures()
    const groupId = await world.createGroup({
      desiredCapacity: 1,
      healthCheckType: 'LoadBalancer',
      healthCheckGracePeriodSeconds: 10,
      loadBalancers: [{ loadBalancerId, port: null, weight: 1 }],
    })
    await world.runUntil(settled(groupId, 1))
    const [sick] = await world.liveMembers(groupId)
    assert.ok(sick)
    for (let tick = 0; tick < 12; tick += 1) await world.step()
    world.provider.forceProbeResult(sick.id, 'not-ready')
    await world.runUntil(async () => (await world.store.instances.get(sick.id))?.state === 'Terminated')
    const recovery = (await world.store.activities.list({ groupId })).find((a) => a.request.kind === 'ElasticRecovery')
    assert.match(recovery?.cause ?? '', /fails the health check of load balancer lb-/)
    await world.runUntil(settled(groupId, 1))
  })
})
