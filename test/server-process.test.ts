/**
 * The real thing: `billow serve` as a process, the demo app as instance processes on loopback
 * IPs. A group comes up, answers, heals after a kill -9, survives a graceful server restart by
 * adoption, and shows its instances' output. Subnets 127.61.x.0/24 belong to this file.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  type ApiInstance,
  activitiesOf,
  allInstances,
  createDemoGroup,
  holdsFor,
  instanceProcesses,
  isProcessAlive,
  liveInstances,
  processEnvironment,
  ServerLab,
  type ServerProcess,
  waitFor,
  waitForSettled,
} from './support/server-process.ts'

/** Generous bounds for real processes on a busy machine, in milliseconds. */
const SETTLE_MS = 60_000
const RECOVERY_NOTICED_MS = 15_000
/** How long the restarted server is watched for doing anything it should not, in milliseconds (≥ 3 ticks). */
const QUIET_MS = 4_000

const ZONES = [
  { zoneId: 'zone-a', subnet: '127.61.1.0/24' },
  { zoneId: 'zone-b', subnet: '127.61.2.0/24' },
]

interface DemoAnswer {
  readonly instanceId: string
  readonly zone: string
  readonly host: string
  readonly port: number
  readonly pid: number
}

async function askDemoApp(instance: ApiInstance): Promise<DemoAnswer> {
  const response = await fetch(`http://${instance.privateIp}:${instance.port}/`, { signal: AbortSignal.timeout(5_000) })
  assert.equal(response.status, 200)
  return (await response.json()) as DemoAnswer
}

const lab = new ServerLab()
after(() => lab.dispose())

describe('a server process running a group of demo-app processes', { timeout: 240_000 }, () => {
  let dataDir: string
  let server: ServerProcess
  let groupId: string

  before(async () => {
    dataDir = await lab.dataDir('server-process')
    server = await lab.start(dataDir)
    groupId = (await createDemoGroup(server.api, { name: 'web', zones: ZONES, desiredCapacity: 2 })).groupId
  })

  test('the group comes up with 2 InService instances, one per zone, each answering as itself', async () => {
    const members = await waitForSettled(server.api, groupId, 2, SETTLE_MS)
    assert.deepEqual(members.map((member) => member.zoneId).sort(), ['zone-a', 'zone-b'])
    const processes = await instanceProcesses(dataDir)
    assert.deepEqual([...processes.keys()].sort(), members.map((member) => member.id).sort())
    for (const member of members) {
      const subnet = ZONES.find((zone) => zone.zoneId === member.zoneId)?.subnet ?? ''
      assert.ok(member.privateIp.startsWith(subnet.replace(/0\/24$/, '')), `${member.privateIp} is in ${subnet}`)
      const answer = await askDemoApp(member)
      assert.equal(answer.instanceId, member.id)
      assert.equal(answer.zone, member.zoneId)
      assert.equal(answer.host, member.privateIp)
      assert.equal(answer.port, member.port)

      const [owned] = processes.get(member.id) ?? []
      assert.ok(owned, `a process runs ${member.id}`)
      assert.equal(answer.pid, owned.stat.pid)
      const env = await processEnvironment(owned.stat.pid)
      assert.equal(env.get('INSTANCE_ID'), member.id)
      assert.equal(env.get('HOST'), member.privateIp)
      assert.equal(env.get('PORT'), String(member.port))
      assert.equal(env.get('ZONE'), member.zoneId)
    }
  })

  test("an instance's logs endpoint returns the demo app's output", async () => {
    const [member] = await liveInstances(server.api, groupId)
    assert.ok(member)
    const logs = await server.api.text(`/v1/instances/${member.id}/logs`)
    assert.match(
      logs,
      new RegExp(`demo-app ${member.id} listening on http://${member.privateIp.replaceAll('.', '\\.')}:`),
    )
  })

  test('kill -9 of an instance process: elastic recovery names it and replaces it', async () => {
    const before = await waitForSettled(server.api, groupId, 2, SETTLE_MS)
    const [victim, survivor] = before
    assert.ok(victim && survivor)
    const [victimProcess] = (await instanceProcesses(dataDir)).get(victim.id) ?? []
    assert.ok(victimProcess)
    process.kill(victimProcess.stat.pid, 'SIGKILL')

    const recovery = await waitFor(
      async () =>
        (await activitiesOf(server.api, groupId)).find(
          (activity) => activity.request.kind === 'ElasticRecovery' && activity.cause.includes(victim.id),
        ),
      { what: `an ElasticRecovery activity naming ${victim.id}`, timeoutMs: RECOVERY_NOTICED_MS },
    )
    assert.match(recovery.cause, /SIGKILL|137|exited|gone/)

    const after = await waitForSettled(server.api, groupId, 2, SETTLE_MS)
    const afterIds = after.map((member) => member.id)
    assert.ok(!afterIds.includes(victim.id), 'the killed instance is no longer a member')
    assert.ok(afterIds.includes(survivor.id), 'the healthy instance stayed')
    const replacement = after.find((member) => member.id !== survivor.id)
    assert.ok(replacement)
    assert.equal((await askDemoApp(replacement)).instanceId, replacement.id)
    const recorded = (await allInstances(server.api, groupId)).find((instance) => instance.id === victim.id)
    assert.equal(recorded?.state, 'Terminated')
    const finished = (await activitiesOf(server.api, groupId)).find((activity) => activity.id === recovery.id)
    assert.equal(finished?.status, 'Successful')
    assert.deepEqual([...(await instanceProcesses(dataDir)).keys()].sort(), [...afterIds].sort())
  })

  test('a graceful stop leaves the instances running; the next server adopts them and launches nothing', async () => {
    const members = await waitForSettled(server.api, groupId, 2, SETTLE_MS)
    const memberIds = members.map((member) => member.id).sort()
    const pids = new Map([...(await instanceProcesses(dataDir))].map(([id, [owned]]) => [id, owned?.stat.pid]))
    const activityIds = (await activitiesOf(server.api, groupId)).map((activity) => activity.id).sort()
    const instanceRecords = (await allInstances(server.api, groupId)).length

    const exit = await server.stop('SIGTERM')
    assert.equal(exit.code, 0, `the server exits cleanly\n${server.output}`)
    for (const [id, pid] of pids) {
      assert.ok(pid !== undefined && (await isProcessAlive(pid)), `instance ${id} (pid ${pid}) outlives the server`)
    }
    for (const member of members) assert.equal((await askDemoApp(member)).instanceId, member.id)

    server = await lab.start(dataDir)
    const adopted = await waitForSettled(server.api, groupId, 2, SETTLE_MS)
    assert.deepEqual(adopted.map((member) => member.id).sort(), memberIds)
    // Give the new engine a few ticks: it must not mark them dead, recover, or launch anything.
    await holdsFor(async () => {
      const now = await liveInstances(server.api, groupId)
      if (now.length !== 2 || now.some((member) => member.state !== 'InService' || member.health !== 'Healthy'))
        return `after restart the members changed: ${JSON.stringify(now)}`
      const activities = (await activitiesOf(server.api, groupId)).map((activity) => activity.id).sort()
      if (JSON.stringify(activities) !== JSON.stringify(activityIds))
        return `after restart new activities appeared: ${activities.filter((id) => !activityIds.includes(id))}`
      if ((await allInstances(server.api, groupId)).length !== instanceRecords)
        return 'after restart an instance was added'
      return undefined
    }, QUIET_MS)
    const pidsAfter = new Map([...(await instanceProcesses(dataDir))].map(([id, [owned]]) => [id, owned?.stat.pid]))
    assert.deepEqual(pidsAfter, pids, 'the same processes, not relaunched ones')
  })
})
