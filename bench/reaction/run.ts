/**
 * bench/reaction: how fast dynamic mode reacts. Per run: a fresh group of one demo-app instance
 * behind the built-in balancer, an alarm "maximum CpuUtilization ≥ 80 %, 1 s period, 1
 * evaluation → add 1 (cooldown 0)", then a CPU load step (GET /burn through the balancer).
 * Measured from the start of the load: (1) the alarm's move to ALARM (its history entry),
 * (2) the first new instance InService and healthy behind the balancer. Printed as min / median /
 * max over the runs, as Markdown for BENCHMARKS.md.
 *
 *   node --import tsx bench/reaction/run.ts [--runs 5]
 *
 * A real `billow serve` in a temporary data directory; instances on 127.73.100+.x; every process
 * is stopped by the lab (by PID) at the end.
 */
import { Agent, request } from 'node:http'
import { createServer } from 'node:net'
import { availableParallelism, loadavg } from 'node:os'
import {
  createDemoGroup,
  liveInstances,
  ServerLab,
  waitFor,
  waitForSettled,
} from '../../test/support/server-process.ts'

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] ?? 5) || 5
const POLL_MS = 50
const WAIT_MS = 60_000

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

function burn(port: number): () => void {
  const agent = new Agent({ keepAlive: true, maxSockets: 2 })
  let stopping = false
  const worker = async () => {
    while (!stopping) {
      await new Promise<void>((resolve) => {
        const outgoing = request({ host: '127.0.0.1', port, path: '/burn?ms=200', agent }, (response) => {
          response.resume()
          response.on('end', resolve)
        })
        outgoing.on('error', () => setTimeout(resolve, POLL_MS))
        outgoing.end()
      })
    }
  }
  void Promise.all([worker(), worker()])
  return () => {
    stopping = true
    agent.destroy()
  }
}

const median = (values: readonly number[]): number => {
  const sorted = values.toSorted((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

async function main(): Promise<void> {
  const lab = new ServerLab()
  const alarmMs: number[] = []
  const serveMs: number[] = []
  try {
    const server = await lab.start(await lab.dataDir('bench-reaction'))
    const { api } = server
    for (let run = 0; run < runs; run += 1) {
      const port = await freePort()
      const loadBalancer = await api.post<{ id: string }>('/v1/load-balancers', {
        name: `reaction-${run}`,
        driver: 'builtin',
        listeners: [{ protocol: 'HTTP', port }],
        healthCheck: {
          type: 'HTTP',
          path: '/health',
          expectedStatusMin: 200,
          expectedStatusMax: 299,
          intervalSeconds: 1,
          timeoutSeconds: 1,
          healthyThreshold: 1,
          unhealthyThreshold: 2,
        },
        drainSeconds: 1,
      })
      const { groupId } = await createDemoGroup(api, {
        name: `reaction-${run}`,
        zones: [{ zoneId: 'zone-a', subnet: `127.73.${100 + run}.0/24` }],
        desiredCapacity: 1,
        maxSize: 2,
      })
      await api.post(`/v1/groups/${groupId}/load-balancers`, { loadBalancerId: loadBalancer.id })
      await waitForSettled(api, groupId, 1, WAIT_MS)
      const rule = await api.post<{ id: string }>('/v1/rules', {
        groupId,
        name: 'add-one',
        adjustmentType: 'QuantityChangeInCapacity',
        adjustmentValue: 1,
        cooldownSeconds: 0,
      })
      const alarm = await api.post<{ id: string }>('/v1/alarms', {
        groupId,
        name: 'cpu',
        conditions: [
          {
            metric: { kind: 'Builtin', name: 'CpuUtilization' },
            statistic: 'Maximum',
            comparison: '>=',
            threshold: 80,
          },
        ],
        periodSeconds: 1,
        evaluationCount: 1,
        actions: [rule.id],
      })
      // Let the alarm see idle periods first, so the step starts from OK.
      await waitFor(async () => (await api.get<{ state: string }>(`/v1/alarms/${alarm.id}`)).state === 'OK', {
        what: 'the alarm OK before the load',
        timeoutMs: WAIT_MS,
      })
      const startedAtMs = Date.now()
      const stop = burn(port)
      try {
        await waitFor(
          async () => {
            const view = await api.get<{ stats: { backends: { health: string }[] } | null }>(
              `/v1/load-balancers/${loadBalancer.id}`,
            )
            const members = await liveInstances(api, groupId)
            const healthy = view.stats?.backends.filter((backend) => backend.health === 'healthy').length ?? 0
            return members.filter((member) => member.state === 'InService').length >= 2 && healthy >= 2
          },
          { what: 'a second instance serving', timeoutMs: WAIT_MS, intervalMs: POLL_MS },
        )
        serveMs.push(Date.now() - startedAtMs)
        const history = await api.get<{ history: { to: string; atMs: number }[] }>(
          `/v1/alarms/${alarm.id}/history?limit=50`,
        )
        const fired = history.history.filter((entry) => entry.to === 'ALARM').at(-1)
        if (fired) alarmMs.push(fired.atMs - startedAtMs)
      } finally {
        stop()
      }
      await api.post(`/v1/alarms/${alarm.id}/disable`, {})
      await api.post(`/v1/groups/${groupId}/desired-capacity`, { desiredCapacity: 0 })
      await waitForSettled(api, groupId, 0, WAIT_MS)
      process.stderr.write(`run ${run + 1}/${runs}: alarm ${alarmMs.at(-1)} ms, serving ${serveMs.at(-1)} ms\n`)
    }
  } finally {
    await lab.dispose()
  }
  const row = (what: string, values: readonly number[]) =>
    `| ${what} | ${Math.min(...values)} | ${median(values)} | ${Math.max(...values)} |`
  console.log(
    `${runs} runs, ${availableParallelism()} CPUs, load average ${loadavg()[0]?.toFixed(1)}, Node ${process.version}\n`,
  )
  console.log('| from the start of the CPU load step to | min ms | median ms | max ms |')
  console.log('|---|---|---|---|')
  console.log(row('the alarm in ALARM', alarmMs))
  console.log(row('a new instance InService behind the balancer', serveMs))
}

await main()
