/**
 * A real HTTP server on loopback that answers as the test says and records what it was asked,
 * so CLI tests exercise fetch, headers and bodies for real without the whole Billow server.
 */
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { CliIo } from '../context.ts'
import { run } from '../main.ts'

export interface StubRequest {
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly body: unknown
  readonly authorization: string | undefined
}

export interface StubAnswer {
  readonly status?: number
  readonly json?: unknown
  readonly text?: string
}

export interface StubApi {
  readonly url: string
  readonly requests: StubRequest[]
  close(): Promise<void>
}

export async function startStubApi(answer: (request: StubRequest) => StubAnswer): Promise<StubApi> {
  const requests: StubRequest[] = []
  const server = createServer(async (incoming, outgoing) => {
    const request = await readRequest(incoming)
    requests.push(request)
    const reply = answer(request)
    const status = reply.status ?? 200
    if (reply.text !== undefined) {
      outgoing.writeHead(status, { 'content-type': 'text/plain' }).end(reply.text)
    } else if (reply.json !== undefined) {
      outgoing.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.json))
    } else {
      outgoing.writeHead(status).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function readRequest(incoming: IncomingMessage): Promise<StubRequest> {
  const chunks: Buffer[] = []
  for await (const chunk of incoming) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  const url = new URL(incoming.url ?? '/', 'http://stub')
  return {
    method: incoming.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    body: text.length > 0 ? JSON.parse(text) : undefined,
    authorization: incoming.headers.authorization,
  }
}

export interface CliRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs the CLI in this process with captured output; `args` are what a user would type after `billow`. */
export async function runCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; nowMs?: number; isTTY?: boolean; stdin?: string } = {},
): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text), isTTY: options.isTTY ?? false, columns: 80 },
    stderr: { write: (text: string) => (stderr += text) },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    nowMs: () => options.nowMs ?? Date.now(),
    // Polls in tests need not really pause; the stub answers the next state at once.
    sleep: () => Promise.resolve(),
    // What a pipe into the CLI would hold; without one, reading stdin is refused as in a non-interactive run.
    ...(options.stdin === undefined ? {} : { readSecret: () => Promise.resolve(options.stdin as string) }),
  }
  const code = await run(['node', 'billow', ...args], io)
  return { code, stdout, stderr }
}
