/**
 * The built-in load balancer, the embedded default: one data-plane process per load balancer
 * (proxy-supervisor.mjs running proxy-main.ts), fed over the control socket in its state
 * directory. This driver keeps nothing in memory: the directory and the process are the truth,
 * so a driver created by a restarted server adopts the proxies an earlier one started.
 *
 *   (no directory) ──apply──▶ running ──destroy──▶ (no directory)
 *                               │  ▲
 *          proxy died (crash,   ▼  │ any call: started again from state.json, listeners and
 *          reboot, SIGKILL)   stopped   backends as they were
 *
 * Calls for one load balancer run one after another within a driver.
 */
import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { InstanceId, LoadBalancerId } from '../../core/ids.ts'
import type { BackendHealth, LoadBalancerStats } from '../../core/load-balancer.ts'
import { type Balancer, BalancerError, type DeregisterProgress } from '../../ports/balancer.ts'
import { controlRequest } from './control-client.ts'
import { type BackendView, CONTROL_PROTOCOL_VERSION, controlRoutes } from './control-protocol.ts'
import { proxyStatus, startProxy, stopProxy } from './proxy-process.ts'
import { isUsableLoadBalancerId, type ProxyPaths, proxyPaths, UNIX_SOCKET_PATH_BYTES_MAX } from './state-directory.ts'

export interface BuiltinBalancerOptions {
  /** Holds one directory per load balancer; kept across server restarts (inside the data directory). */
  readonly stateDirectory: string
}

export function createBuiltinBalancer(options: BuiltinBalancerOptions): Balancer {
  const stateDirectory = resolve(options.stateDirectory)
  const queues = new Map<string, Promise<unknown>>()

  /** Runs calls for one load balancer one after another, so two applies never both start a proxy. */
  function serialised<T>(loadBalancerId: string, work: () => Promise<T>): Promise<T> {
    const previous = queues.get(loadBalancerId) ?? Promise.resolve()
    const next = previous.then(work, work)
    queues.set(loadBalancerId, next)
    const forget = (): void => {
      if (queues.get(loadBalancerId) === next) queues.delete(loadBalancerId)
    }
    next.then(forget, forget)
    return next
  }

  function pathsFor(loadBalancerId: LoadBalancerId): ProxyPaths {
    if (!isUsableLoadBalancerId(loadBalancerId)) {
      throw new BalancerError(`load balancer id ${loadBalancerId} is malformed`, 'NotFound')
    }
    const paths = proxyPaths(stateDirectory, loadBalancerId)
    if (Buffer.byteLength(paths.controlSocket) > UNIX_SOCKET_PATH_BYTES_MAX) {
      throw new BalancerError(
        `state directory ${stateDirectory} is too long for a unix socket path (${UNIX_SOCKET_PATH_BYTES_MAX} bytes at most)`,
        'Unavailable',
      )
    }
    return paths
  }

  /**
   * The running proxy of `paths`, started when none answers: always for 'start', and for
   * 'configured' only when a configuration was applied before (it recovers it); otherwise NotFound.
   */
  async function running(paths: ProxyPaths, mode: 'start' | 'configured'): Promise<void> {
    let status = await proxyStatus(paths)
    if (status === null) {
      if (mode === 'configured' && !existsSync(paths.stateFile)) {
        throw new BalancerError(`load balancer ${paths.directory} does not exist`, 'NotFound')
      }
      status = await startProxy(paths)
    }
    if (status.protocolVersion !== CONTROL_PROTOCOL_VERSION) {
      throw new BalancerError(
        `the proxy in ${paths.directory} speaks control protocol ${status.protocolVersion}, this server ${CONTROL_PROTOCOL_VERSION}`,
        'Unavailable',
      )
    }
  }

  const call = <T>(paths: ProxyPaths, method: string, path: string, body?: unknown): Promise<T> =>
    controlRequest<T>(paths.controlSocket, method, path, body)

  return {
    driver: 'builtin',
    apply(loadBalancer) {
      return serialised(loadBalancer.id, async () => {
        const paths = pathsFor(loadBalancer.id)
        const existed = existsSync(paths.stateFile)
        await running(paths, 'start')
        try {
          await call(paths, 'PUT', controlRoutes.loadBalancer, loadBalancer)
        } catch (error) {
          // A first apply that failed leaves nothing behind: no process, no directory.
          if (!existed) {
            await stopProxy(paths)
            await rm(paths.directory, { recursive: true, force: true })
          }
          throw error
        }
      })
    },
    destroy(loadBalancerId) {
      return serialised(loadBalancerId, async () => {
        if (!isUsableLoadBalancerId(loadBalancerId)) return
        const paths = pathsFor(loadBalancerId)
        if (!existsSync(paths.directory)) return
        await stopProxy(paths)
        await rm(paths.directory, { recursive: true, force: true })
      })
    },
    register(loadBalancerId, backend) {
      return serialised(loadBalancerId, async () => {
        const paths = pathsFor(loadBalancerId)
        await running(paths, 'configured')
        await call(paths, 'PUT', controlRoutes.backend(backend.instanceId), backend)
      })
    },
    deregister(loadBalancerId, instanceId) {
      return serialised(loadBalancerId, async () => {
        if (!isUsableLoadBalancerId(loadBalancerId)) return 'gone'
        const paths = pathsFor(loadBalancerId)
        if (!existsSync(paths.stateFile)) return 'gone'
        await running(paths, 'configured')
        const answer = await call<{ progress: DeregisterProgress }>(paths, 'POST', controlRoutes.deregister(instanceId))
        return answer.progress
      })
    },
    backends(loadBalancerId) {
      return serialised(loadBalancerId, async () => {
        const paths = pathsFor(loadBalancerId)
        await running(paths, 'configured')
        const views = await call<BackendView[]>(paths, 'GET', controlRoutes.backends)
        return new Map<InstanceId, BackendHealth>(views.map((view) => [view.instanceId, view.health]))
      })
    },
    stats(loadBalancerId) {
      return serialised(loadBalancerId, async () => {
        const paths = pathsFor(loadBalancerId)
        await running(paths, 'configured')
        return call<LoadBalancerStats>(paths, 'GET', controlRoutes.stats)
      })
    },
  }
}
