/**
 * Where a Billow installation keeps its files, shared by the server and the CLI so that the CLI
 * finds a local server and its token by itself.
 *
 *   <dataDir>/billow.sqlite    the store
 *   <dataDir>/admin-token      the generated admin bearer token (mode 0600)
 *   <dataDir>/secret-box.key   the key that seals access key secrets in the store (mode 0600)
 *   <dataDir>/cloud-catalog.json  optional: cloud instance types, image ids and subnet ids (docs/cloud-catalog.md)
 *   <dataDir>/server.json      { url, pid } of the running server, removed on clean shutdown
 *   <dataDir>/server.lock      the running server's pid: one server per data directory
 *   <dataDir>/instances/       the process provider's instance directories (logs, pid files)
 *   <dataDir>/balancers/       the built-in load balancers' data planes (sockets, state, logs)
 *   <dataDir>/haproxy/         HAProxy's configurations, admin sockets and logs, one per balancer
 */
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_PORT = 8750

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BILLOW_DATA_DIR) return resolve(env.BILLOW_DATA_DIR)
  const base = env.XDG_DATA_HOME ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share')
  return join(base, 'billow')
}

export const dataPaths = (dataDir: string) => ({
  store: join(dataDir, 'billow.sqlite'),
  adminToken: join(dataDir, 'admin-token'),
  secretBoxKey: join(dataDir, 'secret-box.key'),
  cloudCatalog: join(dataDir, 'cloud-catalog.json'),
  serverInfo: join(dataDir, 'server.json'),
  lock: join(dataDir, 'server.lock'),
  instances: join(dataDir, 'instances'),
  builtinBalancers: join(dataDir, 'balancers'),
  haproxy: join(dataDir, 'haproxy'),
})

export interface ServerInfo {
  readonly url: string
  readonly pid: number
}
