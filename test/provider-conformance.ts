/**
 * The shared suite every Provider passes (STYLE.md habit 10), so the simulated provider cannot
 * drift from the real ones. Each adapter's test file calls describeProviderConformance with a
 * way to make a fresh provider; the suite checks the state of the world, not which calls were made.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { InstanceId } from '../src/core/ids.ts'
import type { LaunchRequest, ObservedInstance, Provider } from '../src/ports/provider.ts'
import { ProviderError } from '../src/ports/provider.ts'

export interface ConformanceSubject {
  readonly provider: Provider
  /** A launch request this provider can run, with a new instance id, client token, IP and port each call. */
  nextRequest(): LaunchRequest
  /** Makes the instance stop by itself, as a crash would: not through terminate(). */
  crash(instanceId: InstanceId): Promise<void>
  /** Terminates whatever the test left running and removes what the subject made. */
  dispose(): Promise<void>
}

export interface ConformanceOptions {
  /** A fresh provider for one test. */
  readonly create: () => Promise<ConformanceSubject>
  /** How long a change (an exit, new output) may take to show, in milliseconds. */
  readonly settleMs: number
}

/** Pause between looks while waiting for a change to show, in milliseconds. */
const POLL_MS = 20

async function eventually<T>(what: string, settleMs: number, look: () => Promise<T | undefined>): Promise<T> {
  const deadlineMs = Date.now() + settleMs
  for (;;) {
    const found = await look()
    if (found !== undefined) return found
    if (Date.now() > deadlineMs) assert.fail(`${what} did not happen within ${settleMs} ms`)
    await sleep(POLL_MS)
  }
}

const find = async (provider: Provider, instanceId: InstanceId): Promise<ObservedInstance | undefined> =>
  (await provider.list()).find((instance) => instance.instanceId === instanceId)

export function describeProviderConformance(name: string, options: ConformanceOptions): void {
  /** Runs `body` against a fresh subject and always disposes of it. */
  const withSubject = (body: (subject: ConformanceSubject) => Promise<void>) => async () => {
    const subject = await options.create()
    try {
      await body(subject)
    } finally {
      await subject.dispose()
    }
  }

  describe(`Provider conformance: ${name}`, () => {
    test(
      'launch returns a running instance with the requested IP and port',
      withSubject(async ({ provider, nextRequest }) => {
        const request = nextRequest()
        const instance = await provider.launch(request)
        assert.equal(instance.instanceId, request.instanceId)
        assert.equal(instance.state, 'running')
        assert.equal(instance.privateIp, request.privateIp)
        assert.equal(instance.port, request.port)
        assert.equal(instance.exitDescription, null)
        assert.equal(typeof instance.limitsEnforced, 'boolean')
        if (!instance.limitsEnforced) assert.ok(instance.limitsNote, 'unenforced limits say why')
      }),
    )

    test(
      'list shows a launched instance',
      withSubject(async ({ provider, nextRequest }) => {
        const request = nextRequest()
        await provider.launch(request)
        const listed = await find(provider, request.instanceId)
        assert.equal(listed?.state, 'running')
        assert.equal(listed?.privateIp, request.privateIp)
        assert.equal(listed?.port, request.port)
      }),
    )

    test(
      'launching twice with the same client token makes one instance',
      withSubject(async ({ provider, nextRequest }) => {
        const request = nextRequest()
        const first = await provider.launch(request)
        const second = await provider.launch(request)
        const [third, fourth] = await Promise.all([provider.launch(request), provider.launch(request)])
        for (const again of [second, third, fourth]) assert.equal(again?.instanceId, first.instanceId)
        const listed = (await provider.list()).filter((instance) => instance.instanceId === request.instanceId)
        assert.equal(listed.length, 1)
        assert.equal((await provider.list()).length, 1)
      }),
    )

    test(
      'terminate removes the instance from list, and resolves when repeated',
      withSubject(async ({ provider, nextRequest }) => {
        const kept = nextRequest()
        const removed = nextRequest()
        await provider.launch(kept)
        await provider.launch(removed)
        await provider.terminate(removed.instanceId)
        assert.equal(await find(provider, removed.instanceId), undefined)
        assert.equal((await find(provider, kept.instanceId))?.state, 'running', 'the other instance is untouched')
        await provider.terminate(removed.instanceId)
        assert.equal(await find(provider, removed.instanceId), undefined)
      }),
    )

    test(
      'terminating an unknown instance resolves',
      withSubject(async ({ provider }) => {
        await provider.terminate('i-neverlaunched0' as InstanceId)
        assert.deepEqual(await provider.list(), [])
      }),
    )

    test(
      'a terminated instance is not launched again with its client token',
      withSubject(async ({ provider, nextRequest }) => {
        const request = nextRequest()
        await provider.launch(request)
        await provider.terminate(request.instanceId)
        await assert.rejects(
          provider.launch(request),
          (error) => error instanceof ProviderError && error.kind === 'permanent',
        )
        assert.equal(await find(provider, request.instanceId), undefined)
      }),
    )

    test(
      'an instance that stops by itself is listed as exited, with a description',
      withSubject(async (subject) => {
        const { provider } = subject
        const request = subject.nextRequest()
        await provider.launch(request)
        await subject.crash(request.instanceId)
        const exited = await eventually('the exit', options.settleMs, async () => {
          const listed = await find(provider, request.instanceId)
          return listed?.state === 'exited' ? listed : undefined
        })
        assert.equal(typeof exited.exitDescription, 'string')
        assert.notEqual(exited.exitDescription, '')
        assert.equal(exited.privateIp, request.privateIp)
        const again = await provider.launch(request)
        assert.equal(again.state, 'exited', 'a retried launch reports the exit instead of launching again')
        await provider.terminate(request.instanceId)
        assert.equal(await find(provider, request.instanceId), undefined)
      }),
    )

    test(
      'logs returns the instance output, and nothing for an unknown instance',
      withSubject(async ({ provider, nextRequest }) => {
        const request = nextRequest()
        await provider.launch(request)
        const output = await eventually('some output', options.settleMs, async () => {
          const text = await provider.logs(request.instanceId, 64 * 1024)
          return text.length > 0 ? text : undefined
        })
        assert.equal(typeof output, 'string')
        const tail = await provider.logs(request.instanceId, 5)
        assert.ok(Buffer.byteLength(tail) <= 5)
        assert.ok(output.endsWith(tail))
        assert.equal(await provider.logs('i-neverlaunched0' as InstanceId, 1024), '')
      }),
    )
  })
}
