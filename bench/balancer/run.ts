/**
 * bench/balancer: requests per second and p99 latency through the built-in proxy (HTTP and TCP)
 * and through HAProxy, against the same two backends, in one run, with wrk. Printed as ratios to
 * HAProxy, as Markdown ready for BENCHMARKS.md.
 *
 *   node --import tsx bench/balancer/run.ts [--duration 10] [--connections 50] [--rounds 3]
 *                                           [--haproxy-threads N] [--wrk-threads 1]
 *
 * Everything listens on loopback (127.68.240.x); every process started is stopped by PID, also
 * on Ctrl-C. Targets run one after another, round after round, so slow drifts of the machine
 * hit every target alike; the median round counts.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { connect, createServer } from 'node:net'
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createBuiltinBalancer } from '../../src/balancers/builtin/builtin-balancer.ts'
import type { InstanceId, LoadBalancerId } from '../../src/core/ids.ts'
import type { LoadBalancer } from '../../src/core/load-balancer.ts'
import { HAPROXY, startHaproxy } from './haproxy.ts'
import { runWrk, type WrkResult } from './wrk.ts'

/** Seconds each target is warmed up before the measured rounds: pools filled, code optimised. */
const WARMUP_SECONDS = 2
/** How long a started process may take to accept connections, in milliseconds. */
const START_TIMEOUT_MS = 20_000
const BACKEND_SCRIPT = fileURLToPath(new URL('./backend.mjs', import.meta.url))
const SUBNET = '127.68.240'

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    'haproxy-threads': { type: 'string' },
    'wrk-threads': { type: 'string', default: '1' },
  },
})
const durationSeconds = Number(args.duration)
const connections = Number(args.connections)
const rounds = Number(args.rounds)
const wrkThreads = Number(args['wrk-threads'])
const haproxyThreads = args['haproxy-threads'] === undefined ? null : Number(args['haproxy-threads'])
/** Other work on the machine skews every figure; the report says how busy it was. */
const loadBefore = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ')

async function freePort(host: string): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

async function untilAccepting(host: string, port: number): Promise<void> {
  const deadlineMs = Date.now() + START_TIMEOUT_MS
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port })
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (ok) return
    if (Date.now() > deadlineMs) throw new Error(`${host}:${port} did not accept within ${START_TIMEOUT_MS} ms`)
    await sleep(25)
  }
}

/** CPU time a process has used so far, in seconds (utime + stime of /proc/<pid>/stat). */
function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0
  for (const pid of pids) {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
      ticks += Number(fields[11]) + Number(fields[12]) // utime(14) stime(15), numbered from state(3)
    } catch {
      // gone: counts nothing
    }
  }
  return ticks / 100 // USER_HZ is 100 on Linux
}

interface Target {
  readonly name: string
  readonly url: string
  readonly pids: () => readonly number[]
}

interface Measured extends WrkResult {
  readonly cpuPercent: number
}

const started: ChildProcess[] = []

function stopStarted(): void {
  for (const child of started) if (child.exitCode === null && child.pid !== undefined) child.kill('SIGKILL')
}

async function startBackend(host: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BACKEND_SCRIPT], {
    env: { PATH: process.env.PATH ?? '', HOST: host, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  started.push(child)
  await untilAccepting(host, port)
  return child
}

async function measure(target: Target, seconds: number): Promise<Measured> {
  const cpuBefore = cpuSeconds(target.pids())
  const startedMs = Date.now()
  const result = await runWrk({ url: target.url, connections, threads: wrkThreads, durationSeconds: seconds })
  const elapsedSeconds = (Date.now() - startedMs) / 1000
  return { ...result, cpuPercent: ((cpuSeconds(target.pids()) - cpuBefore) / elapsedSeconds) * 100 }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

function medianOf(results: readonly Measured[]): Measured {
  return {
    requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
    latencyP50Ms: median(results.map((r) => r.latencyP50Ms)),
    latencyP99Ms: median(results.map((r) => r.latencyP99Ms)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    cpuPercent: median(results.map((r) => r.cpuPercent)),
  }
}

async function main(): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'billow-bench-'))
  const backendAddresses = [`${SUBNET}.1`, `${SUBNET}.2`]
  const backendPorts = await Promise.all(backendAddresses.map(freePort))
  const haproxyHost = `${SUBNET}.10`
  const builtinHost = `${SUBNET}.20`
  const [haproxyHttp, haproxyTcp, builtinHttp, builtinTcp] = [
    await freePort(haproxyHost),
    await freePort(haproxyHost),
    await freePort(builtinHost),
    await freePort(builtinHost),
  ]
  const balancer = createBuiltinBalancer({ stateDirectory: directory })
  const loadBalancer: LoadBalancer = {
    id: 'lb-bench' as LoadBalancerId,
    name: 'bench',
    driver: 'builtin',
    listeners: [
      { protocol: 'HTTP', host: builtinHost, port: builtinHttp as number },
      { protocol: 'TCP', host: builtinHost, port: builtinTcp as number },
    ],
    algorithm: 'RoundRobin',
    healthCheck: { type: 'TCP', intervalSeconds: 1, timeoutSeconds: 1, healthyThreshold: 1, unhealthyThreshold: 3 },
    drainSeconds: 5,
    createdAtMs: Date.now(),
  }
  try {
    const backends = await Promise.all(backendAddresses.map((host, i) => startBackend(host, backendPorts[i] as number)))
    const haproxy = await startHaproxy(directory, {
      httpBind: `${haproxyHost}:${haproxyHttp}`,
      tcpBind: `${haproxyHost}:${haproxyTcp}`,
      backends: backendAddresses.map((host, i) => `${host}:${backendPorts[i]}`),
      threads: haproxyThreads,
    })
    started.push(haproxy)
    await untilAccepting(haproxyHost, haproxyHttp as number)
    await balancer.apply(loadBalancer)
    for (const [i, address] of backendAddresses.entries()) {
      const instanceId = `i-bench${i}` as InstanceId
      await balancer.register(loadBalancer.id, { instanceId, address, port: backendPorts[i] as number, weight: 1 })
    }
    for (;;) {
      const health = [...(await balancer.backends(loadBalancer.id)).values()]
      if (health.every((h) => h === 'healthy')) break
      await sleep(50)
    }
    const pidRecord = JSON.parse(await readFile(join(directory, loadBalancer.id, 'proxy.pid'), 'utf8')) as {
      workerPid: number
    }
    const backendPids = () => backends.flatMap((b) => (b.pid === undefined ? [] : [b.pid]))
    const targets: Target[] = [
      { name: 'direct to one backend', url: `http://${backendAddresses[0]}:${backendPorts[0]}/`, pids: () => [] },
      { name: 'HAProxy HTTP', url: `http://${haproxyHost}:${haproxyHttp}/`, pids: () => [haproxy.pid ?? 0] },
      { name: 'built-in HTTP', url: `http://${builtinHost}:${builtinHttp}/`, pids: () => [pidRecord.workerPid] },
      { name: 'HAProxy TCP', url: `http://${haproxyHost}:${haproxyTcp}/`, pids: () => [haproxy.pid ?? 0] },
      { name: 'built-in TCP', url: `http://${builtinHost}:${builtinTcp}/`, pids: () => [pidRecord.workerPid] },
    ]
    for (const target of targets) await measure(target, WARMUP_SECONDS)
    const results = new Map<string, Measured[]>(targets.map((t) => [t.name, []]))
    for (let round = 1; round <= rounds; round++) {
      for (const target of targets) {
        const result = await measure(target, durationSeconds)
        results.get(target.name)?.push(result)
        console.error(
          `round ${round}/${rounds} ${target.name}: ${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.latencyP99Ms.toFixed(2)} ms`,
        )
      }
    }
    const final = new Map([...results].map(([name, list]) => [name, medianOf(list)]))
    const backendCpu = backendPids().length
    console.log(report(final, backendCpu))
  } finally {
    await balancer.destroy(loadBalancer.id).catch((error: unknown) => console.error(error))
    stopStarted()
    await rm(directory, { recursive: true, force: true })
  }
}

const haproxyVersion = (): string => execFileSync(HAPROXY, ['-v'], { encoding: 'utf8' }).split('\n')[0] ?? 'unknown'

function report(final: ReadonlyMap<string, Measured>, backendCount: number): string {
  const get = (name: string): Measured => final.get(name) as Measured
  const ratio = (a: number, b: number): string => (a / b).toFixed(2)
  const row = (name: string, reference: string | null): string => {
    const m = get(name)
    const versus =
      reference === null
        ? ['', '']
        : [
            ratio(m.requestsPerSecond, get(reference).requestsPerSecond),
            ratio(m.latencyP99Ms, get(reference).latencyP99Ms),
          ]
    // CPU time per request says more than the rate on a machine whose other load varies.
    const cpuPerRequest = m.cpuPercent > 0 ? ((m.cpuPercent / 100 / m.requestsPerSecond) * 1e6).toFixed(0) : ''
    return `| ${name} | ${m.requestsPerSecond.toFixed(0)} | ${m.latencyP50Ms.toFixed(2)} | ${m.latencyP99Ms.toFixed(2)} | ${m.cpuPercent.toFixed(0)} | ${cpuPerRequest} | ${m.errors} | ${versus[0]} | ${versus[1]} |`
  }
  const goal = (label: string, ok: boolean): string => `- ${ok ? 'met' : 'NOT met'}: ${label}`
  const httpRatio = get('built-in HTTP').requestsPerSecond / get('HAProxy HTTP').requestsPerSecond
  const tcpRatio = get('built-in TCP').requestsPerSecond / get('HAProxy TCP').requestsPerSecond
  const httpP99 = get('built-in HTTP').latencyP99Ms / get('HAProxy HTTP').latencyP99Ms
  const tcpP99 = get('built-in TCP').latencyP99Ms / get('HAProxy TCP').latencyP99Ms
  return [
    `date: ${new Date().toISOString()}, load average before the run: ${loadBefore}, after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    `machine: ${availableParallelism()} CPUs (nproc), ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}, ${haproxyVersion()}`,
    `load: wrk -t${wrkThreads} -c${connections} -d${durationSeconds}s, ${rounds} rounds (median), ${backendCount} backends (Node, one process each), HAProxy threads: ${haproxyThreads ?? 'default (one per CPU)'}`,
    '',
    '| target | req/s | p50 ms | p99 ms | proxy CPU % | proxy CPU µs / request | errors | req/s ÷ HAProxy | p99 ÷ HAProxy |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    row('direct to one backend', null),
    row('HAProxy HTTP', null),
    row('built-in HTTP', 'HAProxy HTTP'),
    row('HAProxy TCP', null),
    row('built-in TCP', 'HAProxy TCP'),
    '',
    goal(`built-in HTTP ≥ 0.5 × HAProxy: ${httpRatio.toFixed(2)}`, httpRatio >= 0.5),
    goal(`built-in TCP ≥ 0.9 × HAProxy: ${tcpRatio.toFixed(2)}`, tcpRatio >= 0.9),
    goal(`built-in HTTP p99 ≤ 2 × HAProxy's: ${httpP99.toFixed(2)}`, httpP99 <= 2),
    goal(`built-in TCP p99 ≤ 2 × HAProxy's: ${tcpP99.toFixed(2)}`, tcpP99 <= 2),
  ].join('\n')
}

process.on('SIGINT', () => {
  stopStarted()
  process.exit(130)
})

await main()
