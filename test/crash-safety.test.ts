/**
 * The crash-safety requirement, on real processes: "The server can be killed with
 * SIGKILL at any moment (for example in the middle of scaling out by 5) and, after restart, the
 * group holds exactly the instances it should: none orphaned, none launched twice, every
 * activity finished or resumed." A group at 0 executes a +5 rule; the server is SIGKILLed at a
 * few moments of the scale-out, restarted on the same data directory, and the result checked
 * against the store, /proc and the instance directories. Subnets 127.62.x.0/24 belong to this file.
 */
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import {
  activitiesOf,
  allInstances,
  createDemoGroup,
  instanceDirectories,
  instanceProcesses,
  type RestClient,
  ServerLab,
  TERMINAL_STATUSES,
  waitFor,
  waitForSettled,
} from './support/server-process.ts'

/** Generous bounds for real processes on a busy machine, in milliseconds. */
const SETTLE_MS = 90_000
const KILL_POINT_MS = 30_000
const SCALE_OUT = 5

const lab = new ServerLab()
afterEach(() => lab.dispose())

interface KillPoint {
  readonly name: string
  /** Third octet of this case's subnets: cases never share addresses, even if one leaks. */
  readonly octet: number
  /** Resolves when the server should be killed; the rule has just been executed. */
  readonly reached: (dataDir: string, api: RestClient, groupId: string) => Promise<unknown>
}

const processCount = async (dataDir: string) => (await instanceProcesses(dataDir)).size

const KILL_POINTS: readonly KillPoint[] = [
  { name: 'right after the execute call returns', octet: 10, reached: async () => undefined },
  {
    name: 'after the first instance process appears',
    octet: 20,
    reached: (dataDir) =>
      waitFor(async () => (await processCount(dataDir)) >= 1, {
        what: 'a first instance process',
        timeoutMs: KILL_POINT_MS,
        intervalMs: 10,
      }),
  },
  {
    name: 'after three instance processes appear',
    octet: 30,
    reached: (dataDir) =>
      waitFor(async () => (await processCount(dataDir)) >= 3, {
        what: 'three instance processes',
        timeoutMs: KILL_POINT_MS,
        intervalMs: 10,
      }),
  },
]

describe('SIGKILL of the server in the middle of scaling out by 5', { timeout: 300_000 }, () => {
  for (const point of KILL_POINTS) {
    test(`killed ${point.name}: after restart exactly 5 instances, none orphaned, none twice`, async (t) => {
      const dataDir = await lab.dataDir('crash')
      const first = await lab.start(dataDir)
      const { groupId } = await createDemoGroup(first.api, {
        name: 'crash',
        desiredCapacity: 0,
        zones: [
          { zoneId: 'zone-a', subnet: `127.62.${point.octet}.0/24` },
          { zoneId: 'zone-b', subnet: `127.62.${point.octet + 1}.0/24` },
        ],
      })
      const rule = await first.api.post<{ id: string }>('/v1/rules', {
        groupId,
        name: 'out-by-5',
        adjustmentType: 'QuantityChangeInCapacity',
        adjustmentValue: SCALE_OUT,
      })
      const execution = await first.api.post<{ id: string }>(`/v1/rules/${rule.id}/execute`, {})
      await point.reached(dataDir, first.api, groupId)
      const exit = await first.crash()
      assert.equal(exit.signal, 'SIGKILL')
      const atKill = await processCount(dataDir)
      t.diagnostic(`${atKill} instance processes were running when the server was killed`)

      const second = await lab.start(dataDir)
      const members = await waitForSettled(second.api, groupId, SCALE_OUT, SETTLE_MS)
      const memberIds = members.map((member) => member.id).sort()
      const context = `(killed with ${atKill} instance processes running)\n${second.output}`

      // The store: exactly 5 live members, and no other instance was ever recorded for the group.
      assert.equal(new Set(memberIds).size, SCALE_OUT, 'instance ids are unique')
      const everRecorded = await allInstances(second.api, groupId)
      assert.deepEqual(everRecorded.map((instance) => instance.id).sort(), memberIds, `no extra launches ${context}`)
      assert.ok(
        members.every((member) => member.activityId === execution.id),
        'every member was launched by the rule execution',
      )
      const group = await second.api.get<{ desiredCapacity: number }>(`/v1/groups/${groupId}`)
      assert.equal(group.desiredCapacity, SCALE_OUT)

      // The activities: all terminal; the execution finished (resumed, not redone).
      const activities = await activitiesOf(second.api, groupId)
      assert.deepEqual(
        activities.filter((activity) => !TERMINAL_STATUSES.has(activity.status)),
        [],
        'every activity is terminal',
      )
      const executed = activities.find((activity) => activity.id === execution.id)
      assert.equal(executed?.status, 'Successful', `the rule execution finished: ${JSON.stringify(executed)}`)
      assert.deepEqual(
        activities.filter((activity) => activity.request.kind === 'ElasticRecovery'),
        [],
        'nothing needed recovery',
      )

      // The operating system: exactly the 5 members run, one process each; nothing else was ever launched.
      const processes = await instanceProcesses(dataDir)
      assert.deepEqual([...processes.keys()].sort(), memberIds, `no orphaned processes ${context}`)
      for (const [instanceId, owned] of processes) assert.equal(owned.length, 1, `${instanceId} runs once`)
      assert.deepEqual((await instanceDirectories(dataDir)).sort(), memberIds, 'the provider launched nothing else')
      for (const member of members) {
        const logs = await second.api.text(`/v1/instances/${member.id}/logs`)
        assert.equal(logs.match(/listening on/g)?.length, 1, `${member.id} started once: ${logs}`)
      }
    })
  }
})
