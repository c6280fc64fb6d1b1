/**
 * The proxy's side of the control channel (control-protocol.ts): HTTP on the unix socket in its
 * state directory. Changes run one at a time, in arrival order, so that two drivers (an old
 * server and a new one, briefly) cannot interleave an apply with a registration.
 */
import { unlink } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Backend, LoadBalancer } from '../../core/load-balancer.ts'
import {
  CONTROL_BODY_BYTES_MAX,
  CONTROL_STATUS_BY_KIND,
  ControlError,
  type ControlErrorBody,
  controlRoutes,
} from './control-protocol.ts'
import type { DataPlane } from './data-plane.ts'

const BACKEND_ROUTE = /^\/backends\/([^/]+)(\/deregister)?$/

function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let bytes = 0
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length
      if (bytes > CONTROL_BODY_BYTES_MAX) {
        reject(new ControlError('BadRequest', `control request body over ${CONTROL_BODY_BYTES_MAX} bytes`))
        request.destroy()
        return
      }
      chunks.push(chunk)
    })
    request.once('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      } catch (error) {
        reject(new ControlError('BadRequest', 'control request body is not JSON', { cause: error }))
      }
    })
    request.once('error', reject)
  })
}

function send(response: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    response.writeHead(status).end()
    return
  }
  const text = JSON.stringify(body)
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  response.end(text)
}

export interface ControlServerOptions {
  readonly socketPath: string
  readonly dataPlane: DataPlane
  /** Called once the answer to POST /shutdown is sent. */
  readonly onShutdown: () => void
  readonly log: (line: string) => void
}

export async function startControlServer(options: ControlServerOptions): Promise<Server> {
  const { dataPlane } = options
  let queue: Promise<unknown> = Promise.resolve()
  /** Runs one change after the previous one, whatever became of it. */
  const serialised = <T>(work: () => Promise<T> | T): Promise<T> => {
    const next = queue.then(work, work)
    queue = next.catch(() => undefined)
    return next
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { method = 'GET', url = '/' } = request
    if (method === 'GET' && url === controlRoutes.status) return send(response, 200, dataPlane.status())
    if (method === 'GET' && url === controlRoutes.backends) return send(response, 200, dataPlane.backends())
    if (method === 'GET' && url === controlRoutes.stats) return send(response, 200, dataPlane.stats(Date.now()))
    if (method === 'PUT' && url === controlRoutes.loadBalancer) {
      const loadBalancer = (await readJson(request)) as LoadBalancer
      await serialised(() => dataPlane.apply(loadBalancer))
      return send(response, 204)
    }
    if (method === 'POST' && url === controlRoutes.shutdown) {
      send(response, 202)
      response.once('finish', options.onShutdown)
      return
    }
    const match = BACKEND_ROUTE.exec(url)
    if (match !== null) {
      const instanceId = decodeURIComponent(match[1] as string)
      if (method === 'PUT' && match[2] === undefined) {
        const backend = (await readJson(request)) as Backend
        if (backend.instanceId !== instanceId) throw new ControlError('BadRequest', 'instance ids differ')
        await serialised(() => dataPlane.register(backend))
        return send(response, 204)
      }
      if (method === 'POST' && match[2] !== undefined) {
        const progress = await serialised(() => dataPlane.deregister(instanceId, Date.now()))
        return send(response, 200, { progress })
      }
    }
    throw new ControlError('BadRequest', `no route ${method} ${url}`)
  }

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      const body: ControlErrorBody =
        error instanceof ControlError
          ? { kind: error.kind, message: error.message }
          : { kind: 'Unavailable', message: `proxy failure: ${(error as Error).message}` }
      if (!(error instanceof ControlError)) options.log(`control request failed: ${(error as Error).stack}`)
      if (!response.headersSent) send(response, CONTROL_STATUS_BY_KIND[body.kind], body)
    })
  })
  // The caller holds the proxy's lock, so a socket file left here is a dead proxy's.
  await unlink(options.socketPath).catch(() => undefined)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.socketPath, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return server
}
