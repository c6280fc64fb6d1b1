import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { test } from 'node:test'
import { describeProviderConformance } from '../../../test/provider-conformance.ts'
import { ProviderError } from '../../ports/provider.ts'
import { createCgroupLimits } from './cgroup-limits.ts'
import { parseProcessStat } from './proc-scan.ts'
import { createProcessProvider } from './process-provider.ts'
import {
  demoAnswer,
  demoRequest,
  eventually,
  isRunning,
  launchedPid,
  SETTLE_MS,
  scriptRequest,
  temporaryRoot,
} from './process-test-support.ts'

describeProviderConformance('process', {
  settleMs: SETTLE_MS,
  create: async () => {
    const rootDirectory = await temporaryRoot()
    const provider = createProcessProvider({ rootDirectory })
    return {
      provider,
      nextRequest: () => demoRequest(),
      crash: async (instanceId) => {
        process.kill(await launchedPid(rootDirectory, instanceId), 'SIGKILL')
      },
      dispose: async () => {
        for (const instance of await provider.list()) await provider.terminate(instance.instanceId)
      },
    }
  },
})

const isPermanent = (error: unknown): boolean => error instanceof ProviderError && error.kind === 'permanent'

async function environOf(pid: number): Promise<Map<string, string>> {
  const raw = await readFile(`/proc/${pid}/environ`, 'utf8')
  return new Map(
    raw
      .split('\0')
      .filter(Boolean)
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  )
}

test('the instance binds its own loopback IP and runs the image itself, no shell between', async () => {
  const rootDirectory = await temporaryRoot()
  const provider = createProcessProvider({ rootDirectory })
  const request = demoRequest()
  await provider.launch(request)
  const answer = await demoAnswer(request)
  assert.equal(answer.instanceId, request.instanceId)
  assert.equal(answer.host, request.privateIp)
  assert.equal(answer.port, request.port)
  assert.equal(answer.zone, request.zoneId)
  assert.equal(answer.pid, await launchedPid(rootDirectory, request.instanceId))
  await provider.terminate(request.instanceId)
  assert.equal(await isRunning(answer.pid as number), false)
})

test('the instance has a session and process group of its own', async () => {
  const rootDirectory = await temporaryRoot()
  const provider = createProcessProvider({ rootDirectory })
  const request = demoRequest()
  await provider.launch(request)
  const pid = await launchedPid(rootDirectory, request.instanceId)
  const statText = await readFile(`/proc/${pid}/stat`, 'utf8')
  assert.equal(parseProcessStat(statText)?.processGroupId, pid)
  const session = Number(statText.slice(statText.lastIndexOf(')') + 2).split(' ')[3])
  assert.equal(session, pid)
  await provider.terminate(request.instanceId)
})

test('the instance environment: what Billow sets, the launch configuration, and little of the server', async () => {
  const rootDirectory = await temporaryRoot()
  const provider = createProcessProvider({ rootDirectory })
  process.env.BILLOW_TEST_SERVER_SECRET = 'server only'
  const request = demoRequest({
    env: { GREETING: 'hello', INSTANCE_ID: 'spoofed', BILLOW_PROVIDER_ROOT: '/elsewhere' },
    userData: '#!/bin/sh\necho configured\n',
  })
  const bare = demoRequest()
  try {
    await provider.launch(request)
    await provider.launch(bare)
  } finally {
    delete process.env.BILLOW_TEST_SERVER_SECRET
  }
  const env = await environOf(await launchedPid(rootDirectory, request.instanceId))
  assert.equal(env.get('INSTANCE_ID'), request.instanceId, 'a launch configuration cannot override Billow')
  assert.equal(env.get('BILLOW_INSTANCE_ID'), request.instanceId)
  assert.equal(env.get('BILLOW_PROVIDER_ROOT'), rootDirectory)
  assert.equal(env.get('HOST'), request.privateIp)
  assert.equal(env.get('PORT'), String(request.port))
  assert.equal(env.get('ZONE'), request.zoneId)
  assert.equal(env.get('GREETING'), 'hello')
  assert.equal(env.get('PATH'), process.env.PATH)
  assert.equal(env.has('BILLOW_TEST_SERVER_SECRET'), false)
  const userDataFile = env.get('USER_DATA_FILE')
  assert.ok(userDataFile)
  assert.equal(await readFile(userDataFile, 'utf8'), request.userData)
  const bareEnv = await environOf(await launchedPid(rootDirectory, bare.instanceId))
  assert.equal(bareEnv.has('USER_DATA_FILE'), false, 'no user data, no file')
  for (const instance of [request, bare]) await provider.terminate(instance.instanceId)
})

test('limits are reported as this machine allows, with the reason when they are not enforced', async () => {
  const rootDirectory = await temporaryRoot()
  const provider = createProcessProvider({ rootDirectory })
  const request = demoRequest()
  const instance = await provider.launch(request)
  const availability = await createCgroupLimits({ rootDirectory }).availability()
  assert.equal(instance.limitsEnforced, availability.usable)
  if (availability.usable) {
    const membership = await readFile(`/proc/${await launchedPid(rootDirectory, request.instanceId)}/cgroup`, 'utf8')
    assert.match(membership, new RegExp(`/${request.instanceId}\\n`))
    assert.equal(instance.limitsNote, null)
  } else {
    assert.equal(instance.limitsNote, availability.note)
  }
  await provider.terminate(request.instanceId)
})

test('an instance that exits by itself is listed with its exit code', async () => {
  const provider = createProcessProvider({ rootDirectory: await temporaryRoot() })
  const request = scriptRequest('console.log("failing"); process.exit(3)')
  await provider.launch(request)
  const exited = await eventually('the exit', async () => {
    const listed = (await provider.list()).find((instance) => instance.instanceId === request.instanceId)
    return listed?.state === 'exited' ? listed : undefined
  })
  assert.equal(exited.exitDescription, 'exit code 3')
  assert.equal(await provider.logs(request.instanceId, 1024), 'failing\n')
  await provider.terminate(request.instanceId)
  assert.equal(await provider.logs(request.instanceId, 1024), 'failing\n', 'output is kept after terminate')
})

test('an image that cannot start fails the launch permanently and leaves nothing behind', async () => {
  const provider = createProcessProvider({ rootDirectory: await temporaryRoot() })
  const base = demoRequest()
  const missingCommand = { ...base, image: { ...base.image, command: ['/nonexistent/billow-command'] } }
  await assert.rejects(provider.launch(missingCommand), isPermanent)
  const missingDirectory = { ...demoRequest(), image: { ...base.image, directory: '/nonexistent/billow-image' } }
  await assert.rejects(provider.launch(missingDirectory), isPermanent)
  const emptyCommand = { ...demoRequest(), image: { ...base.image, command: [] } }
  await assert.rejects(provider.launch(emptyCommand), isPermanent)
  await assert.rejects(provider.launch({ ...demoRequest(), instanceId: 'i-../../etc' as never }), isPermanent)
  assert.deepEqual(await provider.list(), [])
})

test('an address another process already listens on fails the launch plainly, before anything runs', async () => {
  const provider = createProcessProvider({ rootDirectory: await temporaryRoot() })
  const request = demoRequest()
  const squatter = createServer()
  await new Promise<void>((resolve) => squatter.listen(request.port, request.privateIp, resolve))
  try {
    await assert.rejects(provider.launch(request), (error: unknown) => {
      assert.ok(isPermanent(error))
      assert.match((error as Error).message, new RegExp(`${request.privateIp}:${request.port} is already in use`))
      return true
    })
    assert.deepEqual(await provider.list(), [])
  } finally {
    await new Promise((resolve) => squatter.close(resolve))
  }
})
