/**
 * One active health check of one backend: an HTTP GET of the check's path answered with a status
 * in the expected range, or a TCP connection accepted, within the check's timeout. Each probe
 * opens a fresh connection, never a pooled one, so it sees what a new client would see.
 */
import { request } from 'node:http'
import { connect } from 'node:net'
import type { HealthCheck } from '../../core/load-balancer.ts'

/** Request header naming the prober in the backend's logs. */
const USER_AGENT = 'billow-health-check'

export interface ProbeTarget {
  readonly address: string
  readonly port: number
}

/** Resolves true when the backend passed; never rejects. */
export function probeOnce(target: ProbeTarget, check: HealthCheck): Promise<boolean> {
  const timeoutMs = Math.max(1, Math.round(check.timeoutSeconds * 1000))
  return check.type === 'HTTP' ? probeHttp(target, check, timeoutMs) : probeTcp(target, timeoutMs)
}

function probeHttp(
  target: ProbeTarget,
  check: Extract<HealthCheck, { type: 'HTTP' }>,
  timeoutMs: number,
): Promise<boolean> {
  return new Promise((resolve) => {
    const path = check.path.startsWith('/') ? check.path : `/${check.path}`
    const outgoing = request({
      host: target.address,
      port: target.port,
      path,
      method: 'GET',
      agent: false,
      headers: { host: `${target.address}:${target.port}`, 'user-agent': USER_AGENT, connection: 'close' },
    })
    const timer = setTimeout(() => outgoing.destroy(new Error('health check timed out')), timeoutMs)
    const settle = (passed: boolean): void => {
      clearTimeout(timer)
      resolve(passed)
    }
    outgoing.on('response', (response) => {
      const status = response.statusCode ?? 0
      // The status is the verdict; the body is never read, and the connection was not pooled.
      response.on('error', () => undefined)
      outgoing.destroy()
      settle(status >= check.expectedStatusMin && status <= check.expectedStatusMax)
    })
    outgoing.on('error', () => settle(false))
    outgoing.end()
  })
}

function probeTcp(target: ProbeTarget, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: target.address, port: target.port })
    const timer = setTimeout(() => socket.destroy(new Error('health check timed out')), timeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => {
      clearTimeout(timer)
      resolve(false)
    })
  })
}
