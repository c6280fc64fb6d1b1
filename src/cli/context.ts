/**
 * What every command gets: where to write, the environment, and a client for the server found
 * from the global `--data` option. Injected as a whole so that tests run the CLI in-process
 * with their own streams, environment and clock.
 */
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { defaultDataDir } from '../config.ts'
import { ApiClient, type FetchFunction } from './client.ts'
import { resolveConnection } from './connection.ts'
import { readSecretFromStdin } from './secret-input.ts'

export interface OutputStream {
  write(text: string): unknown
  readonly isTTY?: boolean
  readonly columns?: number
}

export interface CliIo {
  readonly stdout: OutputStream
  readonly stderr: OutputStream
  readonly env: NodeJS.ProcessEnv
  readonly cwd: string
  readonly nowMs: () => number
  readonly sleep: (ms: number) => Promise<void>
  readonly fetch?: FetchFunction
  readonly isRunning?: (pid: number) => boolean
  /** Reads a secret from stdin (`--admin-password-file -`): all of a pipe, or a hidden line at a terminal. */
  readonly readSecret?: (prompt: string) => Promise<string>
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    nowMs: Date.now,
    sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
    readSecret: readSecretFromStdin,
  }
}

interface GlobalOptions {
  readonly data?: string
}

export class CliContext {
  readonly io: CliIo
  /** Set by commands whose outcome is not "it worked", e.g. a waited-for activity that failed. */
  exitCode = 0

  constructor(io: CliIo) {
    this.io = io
  }

  /** The data directory: `--data`, else BILLOW_DATA_DIR, else the per-user default. */
  dataDir(command: Command): string {
    const options = command.optsWithGlobals<GlobalOptions>()
    return options.data ? resolve(this.io.cwd, options.data) : defaultDataDir(this.io.env)
  }

  /** Resolved per command, so `--help` and `serve` never need a running server. */
  client(command: Command): ApiClient {
    const connection = resolveConnection({
      env: this.io.env,
      dataDir: this.dataDir(command),
      isRunning: this.io.isRunning,
    })
    return new ApiClient(connection, this.io.fetch)
  }

  print(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
  }

  warn(text: string): void {
    this.io.stderr.write(text.endsWith('\n') ? text : `${text}\n`)
  }

  printJson(value: unknown): void {
    this.print(JSON.stringify(value ?? null, null, 2))
  }

  /** The one switch between the raw response and the human view. */
  output(json: boolean | undefined, body: unknown, render: () => string): void {
    if (json) this.printJson(body)
    else this.print(render())
  }
}
