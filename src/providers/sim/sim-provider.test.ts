import assert from 'node:assert/strict'
import { test } from 'node:test'
import { describeProviderConformance } from '../../../test/provider-conformance.ts'
import { VirtualClock } from '../../clock/virtual.ts'
import type { ImageId, InstanceId } from '../../core/ids.ts'
import { findInstanceType } from '../../core/instance-type.ts'
import type { LaunchRequest } from '../../ports/provider.ts'
import { ProviderError } from '../../ports/provider.ts'
import { SimProbe } from './sim-probe.ts'
import { SimProvider } from './sim-provider.ts'

const START_MS = Date.UTC(2030, 0, 1)
const microType = findInstanceType('bl.micro')

function requestFactory(): () => LaunchRequest {
  let count = 0
  return () => {
    count++
    assert.ok(microType)
    return {
      clientToken: `asa-sim#${count}`,
      instanceId: `i-sim${count.toString(36).padStart(4, '0')}` as InstanceId,
      image: {
        id: 'img-sim' as ImageId,
        name: 'demo-app',
        directory: '/nonexistent',
        command: ['node', 'server.mjs'],
        healthPath: '/health',
        createdAtMs: START_MS,
      },
      instanceType: microType,
      zoneId: 'zone-a',
      privateIp: `127.20.1.${count}`,
      port: 8080,
      env: {},
      userData: null,
    }
  }
}

describeProviderConformance('sim', {
  settleMs: 0,
  create: async () => {
    const provider = new SimProvider({ clock: new VirtualClock(START_MS) })
    return {
      provider,
      nextRequest: requestFactory(),
      crash: async (instanceId) => provider.crash(instanceId, 'exit code 137'),
      dispose: async () => {
        for (const instance of await provider.list()) await provider.terminate(instance.instanceId)
      },
    }
  },
})

test('SimProbe says ready once the boot time has passed, and never for an exited instance', async () => {
  const clock = new VirtualClock(START_MS)
  const provider = new SimProvider({ clock, bootMs: 3_000 })
  const probe = new SimProbe(provider)
  const request = requestFactory()()
  await provider.launch(request)
  const target = { id: request.instanceId, privateIp: request.privateIp, port: request.port }
  assert.equal(provider.readyAtMs(request.instanceId), START_MS + 3_000)
  assert.equal(await probe.probe(target, '/health'), 'not-ready')
  clock.advance(2_999)
  assert.equal(await probe.probe(target, '/health'), 'not-ready')
  clock.advance(1)
  assert.equal(await probe.probe(target, '/health'), 'ready')
  provider.forceProbeResult(request.instanceId, 'not-ready')
  assert.equal(await probe.probe(target, '/health'), 'not-ready')
  provider.forceProbeResult(request.instanceId, null)
  provider.crash(request.instanceId, 'killed by signal SIGKILL')
  assert.equal(await probe.probe(target, '/health'), 'not-ready')
  assert.equal(await probe.probe({ ...target, id: 'i-unknown0' as InstanceId }, '/health'), 'not-ready')
})

test('setBootMs applies to later launches only', async () => {
  const clock = new VirtualClock(START_MS)
  const provider = new SimProvider({ clock })
  const next = requestFactory()
  const early = await provider.launch(next())
  provider.setBootMs(100)
  const late = await provider.launch(next())
  assert.equal(provider.readyAtMs(early.instanceId), START_MS + 5_000)
  assert.equal(provider.readyAtMs(late.instanceId), START_MS + 100)
})

test('failNextLaunches fails exactly that many launches, of that kind, and launches nothing', async () => {
  const provider = new SimProvider({ clock: new VirtualClock(START_MS) })
  const request = requestFactory()()
  provider.failNextLaunches(2, 'permanent')
  for (let i = 0; i < 2; i++) {
    await assert.rejects(
      provider.launch(request),
      (error) => error instanceof ProviderError && error.kind === 'permanent',
    )
  }
  assert.deepEqual(await provider.list(), [])
  provider.failNextLaunches(1)
  await assert.rejects(
    provider.launch(request),
    (error) => error instanceof ProviderError && error.kind === 'retryable',
  )
  assert.equal((await provider.launch(request)).state, 'running')
})

test('a client token reused with another instance id returns the first instance', async () => {
  const provider = new SimProvider({ clock: new VirtualClock(START_MS) })
  const request = requestFactory()()
  await provider.launch(request)
  const again = await provider.launch({ ...request, instanceId: 'i-other0' as InstanceId })
  assert.equal(again.instanceId, request.instanceId)
  await assert.rejects(
    provider.launch({ ...request, clientToken: 'another' }),
    (error) => error instanceof ProviderError && error.kind === 'permanent',
  )
  assert.equal((await provider.list()).length, 1)
})

test('the same launches and crashes give the same world and the same output', async () => {
  const run = async () => {
    const clock = new VirtualClock(START_MS)
    const provider = new SimProvider({ clock })
    const next = requestFactory()
    for (let i = 0; i < 5; i++) {
      const instance = await provider.launch(next())
      clock.advance(1_000)
      if (i % 2 === 0) provider.crash(instance.instanceId, `exit code ${i}`)
    }
    return { list: await provider.list(), logs: await provider.logs('i-sim0001' as InstanceId, 1024) }
  }
  assert.deepEqual(await run(), await run())
})
