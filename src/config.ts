/**
 * Where a Billow installation keeps its files, shared by the server and the CLI so that the CLI
 * finds a local server and its token by itself.
 *
 *   <dataDir>/billow.sqlite    the store
 *   <dataDir>/admin-token      the generated admin bearer token (mode 0600)
 *   <dataDir>/server.json      { url, pid } of the running server, removed on clean shutdown
 *   <dataDir>/instances/       the process provider's instance directories (logs, pid files)
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
  serverInfo: join(dataDir, 'server.json'),
  instances: join(dataDir, 'instances'),
})

export interface ServerInfo {
  readonly url: string
  readonly pid: number
}
