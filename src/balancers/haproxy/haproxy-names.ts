/**
 * Names HAProxy knows a load balancer's parts by, derived from the load balancer alone so that a
 * new driver (after a Billow restart) finds what an earlier one made: one frontend and one backend
 * per listener, and in each backend one server per instance, named after the instance.
 *
 * One backend per listener rather than one for all: an HTTP frontend cannot use a TCP backend, and
 * each backend's response times then belong to one listener.
 */
import type { Listener } from '../../core/load-balancer.ts'

export interface ListenerNames {
  readonly listener: Listener
  readonly frontend: string
  readonly backend: string
}

/** HAProxy proxy names take letters, digits, '-', '_', '.' and ':'; anything else becomes '_'. */
const sanitise = (text: string): string => text.replace(/[^A-Za-z0-9._:-]/g, '_')

export function listenerNames(listener: Listener): ListenerNames {
  const key = sanitise(`${listener.protocol.toLowerCase()}-${listener.host}-${listener.port}`)
  return { listener, frontend: `listener-${key}`, backend: `backends-${key}` }
}

/** `host:port` as HAProxy reads an address: IPv6 needs its family prefix, since its colons are ambiguous. */
export function haproxyAddress(host: string, port: number): string {
  return host.includes(':') ? `ipv6@${host}:${port}` : `${host}:${port}`
}
