/**
 * The driver's side of the control channel: one JSON request over the proxy's unix socket, with
 * the proxy's error kinds turned back into BalancerErrors. A socket nobody answers on is not an
 * error here but a fact (ProxyNotRunning) the driver acts on: it starts the proxy again.
 */
import { request } from 'node:http'
import { BalancerError } from '../../ports/balancer.ts'
import { CONTROL_BODY_BYTES_MAX, type ControlErrorBody } from './control-protocol.ts'

/** How long one control request may take, in milliseconds; binding listeners is the slowest, at a few ms. */
const CONTROL_TIMEOUT_MS = 10_000
/** Socket errors meaning nothing listens on the control socket: no proxy, or a dead one's file. */
const NOT_RUNNING_CODES = new Set(['ENOENT', 'ECONNREFUSED'])

export class ProxyNotRunning extends Error {
  override readonly name = 'ProxyNotRunning'
}

export function controlRequest<T>(socketPath: string, method: string, path: string, body?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
    const outgoing = request({
      socketPath,
      method,
      path,
      agent: false,
      headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': payload.length },
      timeout: CONTROL_TIMEOUT_MS,
    })
    outgoing.once('timeout', () => outgoing.destroy(new Error(`no answer within ${CONTROL_TIMEOUT_MS} ms`)))
    outgoing.once('error', (error: NodeJS.ErrnoException) => {
      if (NOT_RUNNING_CODES.has(error.code ?? '')) reject(new ProxyNotRunning(`nothing answers on ${socketPath}`))
      else
        reject(
          new BalancerError(`control request ${method} ${path} failed: ${error.message}`, 'Unavailable', {
            cause: error,
          }),
        )
    })
    outgoing.once('response', (response) => {
      const chunks: Buffer[] = []
      let bytes = 0
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length
        if (bytes > CONTROL_BODY_BYTES_MAX) outgoing.destroy(new Error('control answer too large'))
        else chunks.push(chunk)
      })
      response.once('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        const status = response.statusCode ?? 0
        let parsed: unknown
        try {
          parsed = text === '' ? undefined : JSON.parse(text)
        } catch (error) {
          reject(
            new BalancerError(`the proxy answered ${method} ${path} with no JSON`, 'Unavailable', { cause: error }),
          )
          return
        }
        if (status >= 200 && status < 300) {
          resolve(parsed as T)
          return
        }
        const failure = (parsed ?? {}) as Partial<ControlErrorBody>
        const message = failure.message ?? `control request ${method} ${path} answered ${status}`
        if (failure.kind === 'BadRequest' || failure.kind === undefined) reject(new Error(message))
        else reject(new BalancerError(message, failure.kind))
      })
    })
    outgoing.end(payload)
  })
}
