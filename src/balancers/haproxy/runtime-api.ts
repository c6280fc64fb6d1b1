/**
 * HAProxy's runtime API over its admin socket: one connection per command line, the answer read
 * until haproxy closes the connection (the non-interactive mode). Several commands may share a
 * line, separated by ';'; their answers follow one another, each ending with an empty line.
 */
import { connect } from 'node:net'
import { assert } from '../../core/errors.ts'
import { BalancerError } from '../../ports/balancer.ts'

/** Time one command may take, connection included: the API answers in microseconds when haproxy is alive. */
const COMMAND_TIMEOUT_MS = 5_000
/** Largest answer read, in bytes: `show stat` of every server and the request ring fit with room to spare. */
const ANSWER_BYTES_MAX = 16 * 1024 * 1024

/** Sends one command line; resolves with haproxy's answer. Throws BalancerError('Unavailable'). */
export function runtimeCommand(socketPath: string, line: string): Promise<string> {
  assert(!line.includes('\n'), `a runtime API command is one line: ${line}`)
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let bytes = 0
    const socket = connect(socketPath)
    const fail = (message: string, cause?: unknown): void => {
      socket.destroy()
      reject(new BalancerError(`haproxy runtime API at ${socketPath}: ${message}`, 'Unavailable', { cause }))
    }
    socket.setTimeout(COMMAND_TIMEOUT_MS, () => fail(`no answer to "${line}" within ${COMMAND_TIMEOUT_MS} ms`))
    socket.on('error', (error) => fail(error.message, error))
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length
      if (bytes > ANSWER_BYTES_MAX) return fail(`answer to "${line}" is larger than ${ANSWER_BYTES_MAX} bytes`)
      chunks.push(chunk)
    })
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    socket.end(`${line}\n`)
  })
}

/** The Pid line of `show info`: which haproxy process answers on the socket now. */
export async function answeringPid(socketPath: string): Promise<number> {
  const info = await runtimeCommand(socketPath, 'show info')
  const pid = Number(/^Pid: (\d+)$/m.exec(info)?.[1])
  if (!Number.isInteger(pid)) throw new BalancerError(`haproxy at ${socketPath}: show info has no Pid`, 'Unavailable')
  return pid
}
