/**
 * The PromQL source against a real Prometheus (Debian's package; .ci/run installs it), started
 * here in a temporary directory on a free loopback port, scraping a target this test serves, and
 * stopped by PID. Missing Prometheus fails under CI=true and is skipped loudly elsewhere.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { PromqlError } from '../../ports/promql-source.ts'
import { createPrometheusSource } from './prometheus-source.ts'

const PROMETHEUS = '/usr/bin/prometheus'
const missing = !existsSync(PROMETHEUS)
if (missing && process.env.CI === 'true') throw new Error(`${PROMETHEUS} is missing; CI must install prometheus`)
if (missing) console.warn(`*** SKIPPING the Prometheus source tests: ${PROMETHEUS} is not installed here ***`)

const START_MS_MAX = 30_000

let directory: string
let target: Server
let prometheus: ChildProcess | undefined
let baseUrl: string

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + START_MS_MAX
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe('Prometheus metric source (real Prometheus)', { skip: missing, timeout: 120_000 }, () => {
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'billow-prometheus-'))
    target = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
      response.end(
        '# TYPE shop_queue_length gauge\nshop_queue_length{queue="orders"} 42\nshop_queue_length{queue="mail"} 8\n',
      )
    })
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve))
    const targetPort = (target.address() as AddressInfo).port
    const port = await freePort()
    baseUrl = `http://127.0.0.1:${port}`
    await writeFile(
      join(directory, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: shop\n    static_configs:\n      - targets: ['127.0.0.1:${targetPort}']\n`,
    )
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(directory, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(directory, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    )
    const source = createPrometheusSource({ baseUrl })
    await waitFor(async () => (await source.query('sum(shop_queue_length)', Date.now())) !== null, 'a first scrape')
  })

  after(async () => {
    if (prometheus?.pid !== undefined) {
      process.kill(prometheus.pid, 'SIGTERM')
      await new Promise((resolve) => prometheus?.once('exit', resolve))
    }
    await new Promise((resolve) => target?.close(resolve))
    await rm(directory, { recursive: true, force: true })
  })

  test('an aggregated instant query is one value; an empty vector is no data', async () => {
    const source = createPrometheusSource({ baseUrl })
    assert.equal(await source.query('sum(shop_queue_length)', Date.now()), 50)
    assert.equal(await source.query('max(shop_queue_length{queue="orders"})', Date.now()), 42)
    assert.equal(await source.query('scalar(sum(shop_queue_length))', Date.now()), 50)
    assert.equal(await source.query('sum(no_such_metric)', Date.now()), null)
  })

  test('several series are refused: the alarm must say how to combine them', async () => {
    const source = createPrometheusSource({ baseUrl })
    await assert.rejects(source.query('shop_queue_length', Date.now()), /2 series/)
  })

  test('PromQL that does not parse is a bad_query error with the reason', async () => {
    const source = createPrometheusSource({ baseUrl })
    await assert.rejects(
      source.query('sum(shop_queue_length', Date.now()),
      (error: unknown) => error instanceof PromqlError && error.kind === 'bad_query' && /parse/.test(error.message),
    )
  })

  test('a Prometheus that is down is an unavailable error', async () => {
    const source = createPrometheusSource({ baseUrl: `http://127.0.0.1:${await freePort()}` })
    await assert.rejects(
      source.query('up', Date.now()),
      (error: unknown) => error instanceof PromqlError && error.kind === 'unavailable',
    )
  })
})
