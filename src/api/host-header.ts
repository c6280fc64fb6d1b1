/**
 * Darabonba clients (the generated @alicloud/ess… SDKs) pointed at an endpoint with a path
 * (`127.0.0.1:8750/ess`) send that whole string as the Host header, and sign it. The HTTP layer
 * refuses such a Host before any handler runs, so this moves the path out of it first and keeps
 * the header as sent in ORIGINAL_HOST_HEADER, where the V3 signature check reads it.
 */
import type { IncomingMessage } from 'node:http'

export const ORIGINAL_HOST_HEADER = 'x-billow-original-host'

/** Registers before the server's own request listener; every request passes through it first. */
export function acceptPathInHostHeader(server: {
  prependListener(event: 'request', listener: (request: IncomingMessage) => void): unknown
}): void {
  server.prependListener('request', (request) => {
    // Whatever a client sends under this name is not what it sent as Host.
    delete request.headers[ORIGINAL_HOST_HEADER]
    const host = request.headers.host
    const slash = host?.indexOf('/') ?? -1
    if (host === undefined || slash < 0) return
    request.headers[ORIGINAL_HOST_HEADER] = host
    request.headers.host = host.slice(0, slash)
  })
}
