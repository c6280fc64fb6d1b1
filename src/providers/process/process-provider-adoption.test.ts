/**
 * Instances outlive the server: a provider started later on the same root (a server restart, or
 * a new server after a crash) finds, reports and terminates what an earlier one launched.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { createProcessProvider, TERMINATE_GRACE_MS } from './process-provider.ts'
import {
  demoAnswer,
  demoRequest,
  eventually,
  isRunning,
  launchedPid,
  REPOSITORY_DIRECTORY,
  scriptRequest,
  temporaryRoot,
} from './process-test-support.ts'

test('a second provider on the same root lists and terminates what the first launched', async () => {
  const rootDirectory = await temporaryRoot()
  const first = createProcessProvider({ rootDirectory })
  const kept = demoRequest()
  const removed = demoRequest()
  await first.launch(kept)
  await first.launch(removed)
  const second = createProcessProvider({ rootDirectory })
  const listed = await second.list()
  assert.deepEqual(
    listed.map((instance) => [instance.instanceId, instance.state, instance.privateIp, instance.port]),
    [kept, removed].map((request) => [request.instanceId, 'running', request.privateIp, request.port]).sort(),
  )
  const removedPid = await launchedPid(rootDirectory, removed.instanceId)
  await second.terminate(removed.instanceId)
  assert.equal(await isRunning(removedPid), false)
  assert.deepEqual(
    (await first.list()).map((instance) => instance.instanceId),
    [kept.instanceId],
  )
  assert.equal((await second.launch(kept)).state, 'running', 'a retried launch finds the running instance')
  assert.equal((await first.list()).length, 1)
})

test('instances of a server that has exited are adopted, and their later exits noticed', async () => {
  const rootDirectory = await temporaryRoot()
  const request = demoRequest()
  // The "old server": another Node process that launches one instance and exits.
  const script = `
    import { createProcessProvider } from ${JSON.stringify(join(REPOSITORY_DIRECTORY, 'src/providers/process/process-provider.ts'))}
    const provider = createProcessProvider({ rootDirectory: ${JSON.stringify(rootDirectory)} })
    await provider.launch(${JSON.stringify(request)})`
  const oldServer = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPOSITORY_DIRECTORY,
    encoding: 'utf8',
  })
  assert.equal(oldServer.status, 0, oldServer.stderr)
  const provider = createProcessProvider({ rootDirectory })
  assert.equal((await provider.list())[0]?.state, 'running')
  assert.equal((await demoAnswer(request)).instanceId, request.instanceId)
  process.kill(await launchedPid(rootDirectory, request.instanceId), 'SIGKILL')
  const exited = await eventually('the exit', async () => {
    const listed = (await provider.list())[0]
    return listed?.state === 'exited' ? listed : undefined
  })
  // Reaped already, no one saw how it ended; or still a zombie, which still says how it ended.
  assert.match(exited.exitDescription ?? '', /^(exited while the server was not watching|killed by signal SIGKILL)$/)
  await provider.terminate(request.instanceId)
  assert.deepEqual(await provider.list(), [])
})

test('a process whose launch record was never written is still found, and never launched twice', async () => {
  const rootDirectory = await temporaryRoot()
  const provider = createProcessProvider({ rootDirectory })
  const request = demoRequest()
  await provider.launch(request)
  const pid = await launchedPid(rootDirectory, request.instanceId)
  // As if the server died between spawn and writing the record: only the process itself knows.
  await rm(join(rootDirectory, request.instanceId), { recursive: true })
  const restarted = createProcessProvider({ rootDirectory })
  const listed = await restarted.list()
  assert.equal(listed.length, 1)
  assert.equal(listed[0]?.state, 'running')
  assert.equal(listed[0]?.privateIp, request.privateIp)
  assert.equal(listed[0]?.port, request.port)
  assert.equal((await restarted.launch(request)).state, 'running')
  assert.equal((await restarted.list()).length, 1)
  assert.equal((await demoAnswer(request)).pid, pid)
  await restarted.terminate(request.instanceId)
  assert.equal(await isRunning(pid), false)
})

test('terminate stops the processes an instance forked, not only the first one', async () => {
  const rootDirectory = await temporaryRoot()
  const provider = createProcessProvider({ rootDirectory })
  const request = scriptRequest(`
    const { spawn } = require('node:child_process')
    const worker = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'inherit' })
    console.log('worker ' + worker.pid)
    setInterval(() => {}, 1000)`)
  await provider.launch(request)
  const workerPid = await eventually('the worker', async () => {
    const match = /worker (\d+)/.exec(await provider.logs(request.instanceId, 1024))
    return match ? Number(match[1]) : undefined
  })
  assert.equal(await isRunning(workerPid), true)
  await provider.terminate(request.instanceId)
  assert.equal(await isRunning(workerPid), false)
  assert.deepEqual(await provider.list(), [])
})

test('an instance that ignores SIGTERM is killed after the grace time', async () => {
  const rootDirectory = await temporaryRoot()
  const provider = createProcessProvider({ rootDirectory })
  const request = scriptRequest(`
    process.on('SIGTERM', () => console.log('ignoring SIGTERM'))
    console.log('ready')
    setInterval(() => {}, 1000)`)
  await provider.launch(request)
  await eventually('the handler installed', async () =>
    (await provider.logs(request.instanceId, 1024)).includes('ready') ? true : undefined,
  )
  const pid = await launchedPid(rootDirectory, request.instanceId)
  const startedMs = Date.now()
  await provider.terminate(request.instanceId)
  assert.ok(Date.now() - startedMs >= TERMINATE_GRACE_MS - 100, 'SIGKILL only after the grace time')
  assert.equal(await isRunning(pid), false)
  assert.match(await provider.logs(request.instanceId, 1024), /ignoring SIGTERM/)
  assert.deepEqual(await provider.list(), [])
})
