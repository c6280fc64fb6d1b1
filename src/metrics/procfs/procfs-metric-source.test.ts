/**
 * The /proc metric source against real processes: one that spins and one that sleeps, each
 * marked as an instance the way the process provider marks them, stopped by PID at the end.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { after, test } from 'node:test'
import type { InstanceId } from '../../core/ids.ts'
import { ProcfsMetricSource, parseCpuAndMemory } from './procfs-metric-source.ts'

const children: ChildProcess[] = []
after(() => {
  for (const child of children) if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL')
})

function start(instanceId: string, code: string): void {
  children.push(
    spawn(process.execPath, ['-e', code], { env: { ...process.env, BILLOW_INSTANCE_ID: instanceId }, stdio: 'ignore' }),
  )
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test('parses utime, stime and rss even when the command name holds spaces and parentheses', () => {
  const fields = Array.from({ length: 50 }, (_, index) => String(index + 3))
  fields[0] = 'R'
  const text = `1234 (a (b) c) ${fields.join(' ')}`
  assert.deepEqual(parseCpuAndMemory(text), { cpuTicks: 14 + 15, residentPages: 24 })
  assert.equal(parseCpuAndMemory(text.replace(' R ', ' Z ')), null)
})

test('a spinning instance reports high CPU of its vCPUs, a sleeping one little; the first sample reports nothing', async () => {
  start('i-spin', 'for (;;) {}')
  start('i-idle', 'setInterval(() => {}, 1000)')
  await sleep(300)
  const source = new ProcfsMetricSource()
  const targets = [
    { instanceId: 'i-spin' as InstanceId, vcpu: 1, memoryBytes: 512 * 1024 * 1024 },
    { instanceId: 'i-idle' as InstanceId, vcpu: 0.5, memoryBytes: 256 * 1024 * 1024 },
    { instanceId: 'i-gone' as InstanceId, vcpu: 1, memoryBytes: 1 },
  ]
  assert.deepEqual(await source.sample(targets, Date.now()), [])
  await sleep(1_000)
  const usages = await source.sample(targets, Date.now())
  const spin = usages.find((usage) => usage.instanceId === 'i-spin')
  const idle = usages.find((usage) => usage.instanceId === 'i-idle')
  // The machine may be busy with other tests: the spinner gets a share of a CPU, not all of it.
  assert.ok(spin && spin.cpuPercent > 10, `spinning: ${spin?.cpuPercent}%`)
  assert.ok(idle && idle.cpuPercent < spin.cpuPercent / 2, `idle: ${idle?.cpuPercent}%, spinning ${spin.cpuPercent}%`)
  assert.ok(spin.memoryUsedBytes > 1024 * 1024)
  assert.equal(
    usages.find((usage) => usage.instanceId === 'i-gone'),
    undefined,
    'no process: no data, not zero',
  )
})
