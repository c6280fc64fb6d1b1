import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import type { InstanceId } from '../core/ids.ts'
import { createHttpProbe, HTTP_PROBE_TIMEOUT_MS } from './http-probe.ts'

let server: Server
let port = 0
const instance = () => ({ id: 'i-probe0' as InstanceId, privateIp: '127.0.0.1', port })

before(async () => {
  server = createServer((request, response) => {
    const status = { '/ok': 200, '/moved': 302, '/broken': 500, '/missing': 404 }[request.url ?? ''] ?? 0
    if (status === 0) return // '/hang': never answers
    response.writeHead(status, status === 302 ? { location: '/elsewhere' } : {})
    response.end('body')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})

after(() => {
  server.closeAllConnections()
  server.close()
})

test('2xx and 3xx answers are ready, others are not', async () => {
  const probe = createHttpProbe()
  assert.equal(await probe.probe(instance(), '/ok'), 'ready')
  assert.equal(await probe.probe(instance(), 'ok'), 'ready', 'a path without its slash still works')
  assert.equal(await probe.probe(instance(), '/moved'), 'ready', 'redirects are not followed')
  assert.equal(await probe.probe(instance(), '/broken'), 'not-ready')
  assert.equal(await probe.probe(instance(), '/missing'), 'not-ready')
})

test('a refused connection, a bad port and a silent server are not-ready, without throwing', async () => {
  const probe = createHttpProbe({ timeoutMs: 200 })
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const closedPort = (closed.address() as AddressInfo).port
  await new Promise((resolve) => closed.close(resolve))
  assert.equal(await probe.probe({ ...instance(), port: closedPort }, '/ok'), 'not-ready')
  assert.equal(await probe.probe({ ...instance(), port: 70_000 }, '/ok'), 'not-ready')
  const startedMs = Date.now()
  assert.equal(await probe.probe(instance(), '/hang'), 'not-ready')
  const waitedMs = Date.now() - startedMs
  assert.ok(waitedMs >= 150 && waitedMs < HTTP_PROBE_TIMEOUT_MS, `waited ${waitedMs} ms`)
})
