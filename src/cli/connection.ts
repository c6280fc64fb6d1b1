/**
 * Finds the server to talk to. Environment first (BILLOW_URL, BILLOW_TOKEN), so a remote server
 * or a CI job needs no files; otherwise the files a local `billow serve` writes into its data
 * directory, so that on one machine the CLI needs no configuration at all.
 */
import { readFileSync } from 'node:fs'
import { dataPaths, type ServerInfo } from '../config.ts'
import { ConnectionError } from './errors.ts'

export interface Connection {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:8750. */
  readonly url: string
  /** Bearer token; null when none was found (the server then answers Unauthenticated). */
  readonly token: string | null
}

export interface ConnectionSources {
  readonly env: NodeJS.ProcessEnv
  readonly dataDir: string
  /** Whether a process with this pid runs; injected so tests need no real process. */
  readonly isRunning?: (pid: number) => boolean
}

export function resolveConnection(sources: ConnectionSources): Connection {
  const paths = dataPaths(sources.dataDir)
  const envToken = nonEmpty(sources.env.BILLOW_TOKEN)
  const envUrl = nonEmpty(sources.env.BILLOW_URL)
  if (envUrl) {
    // A URL from the environment may still be the local server, so the admin token file is a
    // fallback rather than ignored.
    return { url: trimSlash(envUrl), token: envToken ?? readToken(paths.adminToken) }
  }
  const info = readServerInfo(paths.serverInfo)
  const isRunning = sources.isRunning ?? processIsRunning
  if (!info) {
    throw new ConnectionError(
      `no Billow server found in ${sources.dataDir}: start one with \`billow serve\` or set BILLOW_URL`,
    )
  }
  if (!isRunning(info.pid)) {
    // server.json outlives a crashed server; naming the dead pid explains why nothing answers.
    throw new ConnectionError(
      `no Billow server found in ${sources.dataDir} (server.json names pid ${info.pid}, which is not running): ` +
        'start one with `billow serve` or set BILLOW_URL',
    )
  }
  return { url: trimSlash(info.url), token: envToken ?? readToken(paths.adminToken) }
}

function readServerInfo(path: string): ServerInfo | null {
  const text = readOptional(path)
  if (text === null) return null
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new ConnectionError(`${path} is not valid JSON; remove it and restart the server`, { cause: error })
  }
  const candidate = parsed as Partial<ServerInfo> | null
  if (typeof candidate?.url !== 'string' || typeof candidate.pid !== 'number') {
    throw new ConnectionError(`${path} does not hold { url, pid }; remove it and restart the server`)
  }
  return { url: candidate.url, pid: candidate.pid }
}

function readToken(path: string): string | null {
  const text = readOptional(path)
  return text === null ? null : nonEmpty(text.trim())
}

function readOptional(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new ConnectionError(`cannot read ${path}: ${(error as Error).message}`, { cause: error })
  }
}

function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to another user, which still means a server runs.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

const nonEmpty = (value: string | undefined): string | null => (value && value.length > 0 ? value : null)

const trimSlash = (url: string): string => url.replace(/\/+$/, '')
