/**
 * InstanceProbe over HTTP: GET http://<privateIp>:<port><healthPath>; any 2xx or 3xx answer
 * means the application is ready. Redirects are not followed: answering at all is the point.
 */
import { request } from 'node:http'
import type { InstanceProbe, ProbeResult } from '../ports/instance-probe.ts'

/** How long one probe waits for an answer, in milliseconds: a ready application answers at once. */
export const HTTP_PROBE_TIMEOUT_MS = 1_000

export interface HttpProbeOptions {
  /** Overrides HTTP_PROBE_TIMEOUT_MS, in milliseconds. */
  readonly timeoutMs?: number
}

export function createHttpProbe(options: HttpProbeOptions = {}): InstanceProbe {
  const timeoutMs = options.timeoutMs ?? HTTP_PROBE_TIMEOUT_MS
  return {
    probe: (instance, healthPath) =>
      new Promise<ProbeResult>((resolve) => {
        const path = healthPath.startsWith('/') ? healthPath : `/${healthPath}`
        try {
          const outgoing = request(
            // A fresh connection each time (agent: false): a probe must not reuse a socket to a replaced instance.
            { host: instance.privateIp, port: instance.port, path, method: 'GET', agent: false },
            (response) => {
              clearTimeout(deadline)
              // The body does not matter: drain it so the socket closes; a reset now changes nothing.
              response.on('error', () => undefined)
              response.resume()
              const status = response.statusCode ?? 0
              resolve(status >= 200 && status < 400 ? 'ready' : 'not-ready')
            },
          )
          // One deadline for connecting and answering, however slowly the bytes trickle in.
          const deadline = setTimeout(() => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
          outgoing.on('error', () => {
            clearTimeout(deadline)
            resolve('not-ready')
          })
          outgoing.end()
        } catch {
          resolve('not-ready') // e.g. a port out of range: such an instance is not ready either
        }
      }),
  }
}
