/**
 * The composition root: the only module that imports concrete adapters. `startServer` wires the
 * embedded defaults (SQLite store, local process provider, HTTP probe, system clock) to the
 * engine and the REST API and starts both.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { serve } from '@hono/node-server'
import { createMysqlAllowlist } from './allowlists/mysql/mysql-allowlist.ts'
import { createPostgresAllowlist } from './allowlists/postgres/postgres-allowlist.ts'
import { createCloudCatalog } from './api/cloud/catalog.ts'
import { readCloudCatalogFile } from './api/cloud/catalog-file.ts'
import { createFrontDoor } from './api/front-door.ts'
import { acceptPathInHostHeader } from './api/host-header.ts'
import { createRestApp } from './api/rest/app.ts'
import { createBuiltinBalancer } from './balancers/builtin/builtin-balancer.ts'
import { createHaproxyBalancer } from './balancers/haproxy/haproxy-balancer.ts'
import { systemClock } from './clock/system.ts'
import { dataPaths, type ServerInfo } from './config.ts'
import { lockDataDirectory } from './data-dir-lock.ts'
import { seedDemo } from './demo.ts'
import { Engine } from './engine/engine.ts'
import type { Allowlists, Balancers } from './engine/engine-context.ts'
import { randomIds } from './ids/random-ids.ts'
import { createConsoleLogger } from './log/console-logger.ts'
import { ProcfsMetricSource } from './metrics/procfs/procfs-metric-source.ts'
import { createPrometheusSource } from './metrics/prometheus/prometheus-source.ts'
import { createHttpProbe } from './probe/http-probe.ts'
import { createProcessProvider } from './providers/process/process-provider.ts'
import { readOrCreateKeyFile } from './secrets/key-file.ts'
import type { ServiceContext } from './service/context.ts'
import { SECRET_BOX_KEY_BYTES } from './service/secret-box.ts'
import { createServices } from './service/services.ts'
import { newSecret } from './service/tokens.ts'
import { openSqliteStore } from './store/sqlite/sqlite-store.ts'

export const VERSION = '0.1.0'
/** How long a stopping server lets in-flight API requests finish, in ms. */
export const SHUTDOWN_GRACE_MS = 5_000
/** The region this installation reports in ARIs and cloud dialects (BILLOW_REGION overrides). */
export const DEFAULT_REGION = 'local-1'

export interface StartServerOptions {
  readonly host: string
  readonly port: number
  readonly dataDir: string
  readonly demo: boolean
  /** Where log lines go; stderr by default. */
  readonly log?: (line: string) => void
}

export interface ServerHandle {
  readonly url: string
  readonly adminTokenPath: string
  close(): Promise<void>
}

export async function startServer(options: StartServerOptions): Promise<ServerHandle> {
  const paths = dataPaths(options.dataDir)
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 })
  mkdirSync(paths.instances, { recursive: true, mode: 0o700 })
  const log = createConsoleLogger(options.log)
  // Read before anything is opened: a broken catalog stops the start with its path and field.
  const catalog = createCloudCatalog(readCloudCatalogFile(paths.cloudCatalog))
  const lock = lockDataDirectory(paths.lock, options.dataDir)
  const adminSecret = readOrCreateAdminToken(paths.adminToken)
  const store = await openSqliteStore(paths.store)
  const accountId = await accountIdOf(store)
  const provider = createProcessProvider({ rootDirectory: paths.instances })
  const { balancers, allowlists } = dataPlaneDrivers(options.dataDir)
  let engine: Engine | undefined
  const context: ServiceContext = {
    store,
    clock: systemClock,
    ids: randomIds,
    provider,
    balancers,
    wakeEngine: () => engine?.wake(),
    settings: {
      region: process.env.BILLOW_REGION || DEFAULT_REGION,
      accountId,
      standaloneZoneId: 'standalone',
      standaloneSubnet: '127.30.0.0/16',
      instanceTypes: catalog.instanceTypes,
    },
  }
  engine = new Engine({
    clock: systemClock,
    store,
    provider,
    probe: createHttpProbe(),
    balancers,
    allowlists,
    ids: randomIds,
    log,
    instanceTypes: catalog.instanceTypes,
    metrics: new ProcfsMetricSource(),
    metricRetention: metricRetention(process.env),
    // PromQL alarm conditions read this Prometheus; without it they have no data, saying why.
    ...(process.env.BILLOW_PROMETHEUS_URL
      ? { prometheus: createPrometheusSource({ baseUrl: process.env.BILLOW_PROMETHEUS_URL }) }
      : {}),
  })
  const secretBoxKey = readOrCreateKeyFile(paths.secretBoxKey, SECRET_BOX_KEY_BYTES)
  const services = createServices(context, { adminSecret, secretBoxKey })
  if (options.demo)
    await seedDemo(services, { store, demoDirectory: fileURLToPath(new URL('../examples/demo-app', import.meta.url)) })
  const app = createRestApp({ services, log, version: VERSION })
  const frontDoor = createFrontDoor({
    services,
    rest: app.fetch,
    catalog,
    clock: systemClock,
    log,
    region: context.settings.region,
    accountId,
  })
  const server = await listen(frontDoor, options.host, options.port).catch(async (error: unknown) => {
    await store.close()
    lock.release()
    throw error
  })
  acceptPathInHostHeader(server)
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const url = `http://${host}:${address.port}`
  const info: ServerInfo = { url, pid: process.pid }
  writeFileSync(paths.serverInfo, `${JSON.stringify(info)}\n`, { mode: 0o600 })
  engine.start()
  log.info('server.started', { url, dataDir: options.dataDir })
  return {
    url,
    adminTokenPath: paths.adminToken,
    async close() {
      // In-flight requests get a moment to finish; then whatever is still open is cut.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      const deadline = setTimeout(() => server.closeAllConnections?.(), SHUTDOWN_GRACE_MS)
      await closed
      clearTimeout(deadline)
      await engine?.stop()
      await store.close()
      rmSync(paths.serverInfo, { force: true })
      lock.release()
      log.info('server.stopped', {})
    },
  }
}

type NodeServer = ReturnType<typeof serve> & { closeAllConnections?: () => void }

function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  hostname: string,
  port: number,
): Promise<NodeServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, () => resolve(server as NodeServer)) as NodeServer
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${port} on ${hostname} is in use: pick another with --port or BILLOW_PORT`, {
              cause: error,
            })
          : error,
      )
    })
  })
}

/** The admin token is made once per data directory and kept readable by its owner only. */
function readOrCreateAdminToken(path: string): string {
  try {
    const existing = readFileSync(path, 'utf8').trim()
    if (existing.length > 0) return existing
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const secret = newSecret()
  writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' })
  return secret
}

/** A 16-digit account id, made once, like the clouds' account numbers in ARIs. */
async function accountIdOf(store: Awaited<ReturnType<typeof openSqliteStore>>): Promise<string> {
  const existing = await store.meta.get('account-id')
  if (existing) return existing
  const digits = [...randomBytes(16)].map((byte) => String(byte % 10)).join('')
  const accountId = `1${digits.slice(1)}`
  await store.meta.set('account-id', accountId)
  return accountId
}

/** The load balancer and database allowlist drivers of this installation. */
function dataPlaneDrivers(dataDir: string): { balancers: Balancers; allowlists: Allowlists } {
  const paths = dataPaths(dataDir)
  return {
    balancers: {
      builtin: createBuiltinBalancer({ stateDirectory: paths.builtinBalancers }),
      haproxy: createHaproxyBalancer({ stateDirectory: paths.haproxy }),
    },
    allowlists: { postgres: createPostgresAllowlist(), mysql: createMysqlAllowlist() },
  }
}

/**
 * How long metrics are kept: BILLOW_METRICS_RAW_HOURS (raw one-second points, default 24) and
 * BILLOW_METRICS_ROLLUP_DAYS (one-minute roll-ups, default 15). A value that is not a positive
 * number stops the start rather than silently keeping too little.
 */
function metricRetention(env: NodeJS.ProcessEnv): { rawSeconds: number; rollUpSeconds: number } {
  const read = (name: string, fallback: number, unitSeconds: number): number => {
    const text = env[name]
    if (text === undefined || text === '') return fallback * unitSeconds
    const value = Number(text)
    if (!(Number.isFinite(value) && value > 0)) throw new Error(`${name} must be a positive number, got "${text}"`)
    return value * unitSeconds
  }
  return {
    rawSeconds: read('BILLOW_METRICS_RAW_HOURS', 24, 3600),
    rollUpSeconds: read('BILLOW_METRICS_ROLLUP_DAYS', 15, 86_400),
  }
}
