import { BillowError } from '../core/errors.ts'
import type { LoadBalancerId } from '../core/ids.ts'
import {
  BALANCER_DRIVERS,
  BALANCING_ALGORITHMS,
  type HealthCheck,
  LISTENER_PROTOCOLS,
  type Listener,
  type LoadBalancer,
  type LoadBalancerStats,
} from '../core/load-balancer.ts'
import { parseIpv4 } from '../core/subnet.ts'
import { BalancerError } from '../ports/balancer.ts'
import type { Collections } from '../ports/store.ts'
import type { ServiceContext } from './context.ts'
import { invalid, notFound, requireIntegerIn, requireName } from './validate.ts'

export const LISTENERS_MAX = 10
export const DRAIN_SECONDS_MAX = 3_600
export const DEFAULT_DRAIN_SECONDS = 30
/** Checks every 2 s, healthy after 2 passes, unhealthy after 3 failures: a new instance serves within about 4 s. */
export const DEFAULT_HEALTH_CHECK: HealthCheck = {
  type: 'HTTP',
  path: '/',
  expectedStatusMin: 200,
  expectedStatusMax: 399,
  intervalSeconds: 2,
  timeoutSeconds: 1,
  healthyThreshold: 2,
  unhealthyThreshold: 3,
}

export interface LoadBalancerInput {
  readonly name: string
  readonly driver?: LoadBalancer['driver']
  readonly listeners: readonly { protocol: Listener['protocol']; host?: string; port: number }[]
  readonly algorithm?: LoadBalancer['algorithm']
  readonly healthCheck?: HealthCheck
  readonly drainSeconds?: number
}

export interface LoadBalancerView extends LoadBalancer {
  /** Groups that attach it. */
  readonly groupIds: readonly string[]
  /** What the data plane reports now; null when it does not answer. */
  readonly stats: LoadBalancerStats | null
}

/**
 * Load balancers are applied to their data plane as they are written, so that a listener port
 * in use is this request's 409 rather than a later surprise; a failed apply writes nothing.
 */
export function loadBalancerService(context: ServiceContext) {
  const { store } = context

  async function view(loadBalancer: LoadBalancer): Promise<LoadBalancerView> {
    const groupIds = (await store.groups.list())
      .filter((group) => group.loadBalancers.some((attachment) => attachment.loadBalancerId === loadBalancer.id))
      .map((group) => group.id)
    let stats: LoadBalancerStats | null = null
    try {
      stats = (await context.balancers[loadBalancer.driver]?.stats(loadBalancer.id)) ?? null
    } catch {
      // A data plane that does not answer has no figures to show; describe still works.
    }
    return { ...loadBalancer, groupIds, stats }
  }

  async function applyOrUndo(loadBalancer: LoadBalancer, undo: () => Promise<void>): Promise<void> {
    const balancer = context.balancers[loadBalancer.driver]
    try {
      if (!balancer) throw new BalancerError('its driver is not available on this server', 'Unavailable')
      await balancer.apply(loadBalancer)
    } catch (error) {
      await undo()
      if (error instanceof BalancerError && error.kind === 'ListenerPortInUse') {
        throw new BillowError('ListenerPortInUse', `listeners: ${error.message}`, { field: 'listeners', cause: error })
      }
      const reason = error instanceof Error ? error.message : String(error)
      throw new BillowError('ProviderFailure', `the ${loadBalancer.driver} load balancer: ${reason}`, { cause: error })
    }
  }

  return {
    list: async () => Promise.all((await store.loadBalancers.list()).map(view)),

    async get(id: LoadBalancerId): Promise<LoadBalancerView> {
      return view((await store.loadBalancers.get(id)) ?? notFound('LoadBalancerNotFound', 'load balancer', id))
    },

    async create(input: LoadBalancerInput): Promise<LoadBalancerView> {
      const loadBalancer = await store.transaction(async (tx) => {
        const record: LoadBalancer = {
          id: context.ids.next('loadBalancer') as LoadBalancerId,
          name: input.name,
          driver: input.driver ?? 'builtin',
          listeners: input.listeners.map((listener) => ({ ...listener, host: listener.host ?? '127.0.0.1' })),
          algorithm: input.algorithm ?? 'RoundRobin',
          healthCheck: input.healthCheck ?? DEFAULT_HEALTH_CHECK,
          drainSeconds: input.drainSeconds ?? DEFAULT_DRAIN_SECONDS,
          createdAtMs: context.clock.nowMs(),
        }
        await validate(tx, record)
        await tx.loadBalancers.insert(record)
        return record
      })
      await applyOrUndo(loadBalancer, () => store.loadBalancers.delete(loadBalancer.id))
      context.wakeEngine()
      return view(loadBalancer)
    },

    async modify(id: LoadBalancerId, changes: Partial<LoadBalancerInput>): Promise<LoadBalancerView> {
      const [before, after] = await store.transaction(async (tx) => {
        const current = (await tx.loadBalancers.get(id)) ?? notFound('LoadBalancerNotFound', 'load balancer', id)
        if (changes.driver !== undefined && changes.driver !== current.driver) {
          invalid('driver', 'cannot change; create a new load balancer and attach it instead')
        }
        const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined))
        const record: LoadBalancer = {
          ...current,
          ...defined,
          listeners: (changes.listeners ?? current.listeners).map((listener) => ({
            ...listener,
            host: listener.host ?? '127.0.0.1',
          })),
        }
        await validate(tx, record)
        await tx.loadBalancers.update(record)
        return [current, record] as const
      })
      await applyOrUndo(after, async () => {
        await store.loadBalancers.update(before)
        await context.balancers[before.driver]?.apply(before)
      })
      context.wakeEngine()
      return view(after)
    },

    async remove(id: LoadBalancerId): Promise<void> {
      const loadBalancer = await store.transaction(async (tx) => {
        const current = (await tx.loadBalancers.get(id)) ?? notFound('LoadBalancerNotFound', 'load balancer', id)
        const users = (await tx.groups.list()).filter((group) =>
          group.loadBalancers.some((a) => a.loadBalancerId === id),
        )
        if (users.length > 0) {
          throw new BillowError(
            'LoadBalancerInUse',
            `load balancer ${id} is attached to ${users.map((g) => g.id).join(', ')}`,
          )
        }
        await tx.loadBalancers.delete(id)
        return current
      })
      await context.balancers[loadBalancer.driver]?.destroy(id)
    },
  }
}

async function validate(tx: Collections, record: LoadBalancer): Promise<void> {
  requireName('name', record.name)
  const sameName = await tx.loadBalancers.findByName(record.name)
  if (sameName && sameName.id !== record.id) {
    throw new BillowError('NameConflict', `name: a load balancer named "${record.name}" exists (${sameName.id})`, {
      field: 'name',
    })
  }
  if (!BALANCER_DRIVERS.includes(record.driver)) invalid('driver', `unknown; one of ${BALANCER_DRIVERS.join(', ')}`)
  if (!BALANCING_ALGORITHMS.includes(record.algorithm))
    invalid('algorithm', `unknown; one of ${BALANCING_ALGORITHMS.join(', ')}`)
  requireIntegerIn('drainSeconds', record.drainSeconds, 0, DRAIN_SECONDS_MAX)
  validateHealthCheck(record.healthCheck)
  if (record.listeners.length < 1 || record.listeners.length > LISTENERS_MAX)
    invalid('listeners', `takes 1 to ${LISTENERS_MAX}`)
  const taken = new Map<string, string>()
  for (const other of await tx.loadBalancers.list()) {
    if (other.id === record.id) continue
    for (const listener of other.listeners) taken.set(`${listener.host}:${listener.port}`, other.id)
  }
  for (const [index, listener] of record.listeners.entries()) {
    const field = `listeners.${index}`
    if (!LISTENER_PROTOCOLS.includes(listener.protocol))
      invalid(`${field}.protocol`, `one of ${LISTENER_PROTOCOLS.join(', ')}`)
    if (parseIpv4(listener.host) === undefined) invalid(`${field}.host`, 'must be an IPv4 address')
    requireIntegerIn(`${field}.port`, listener.port, 1, 65_535)
    const key = `${listener.host}:${listener.port}`
    const owner = taken.get(key)
    if (owner)
      throw new BillowError('ListenerPortInUse', `${field}.port: ${key} is a listener of ${owner}`, {
        field: `${field}.port`,
      })
    taken.set(key, record.id)
  }
}

function validateHealthCheck(check: HealthCheck): void {
  requireIntegerIn('healthCheck.intervalSeconds', check.intervalSeconds, 1, 300)
  requireIntegerIn('healthCheck.timeoutSeconds', check.timeoutSeconds, 1, 60)
  if (check.timeoutSeconds > check.intervalSeconds)
    invalid('healthCheck.timeoutSeconds', 'must not exceed intervalSeconds')
  requireIntegerIn('healthCheck.healthyThreshold', check.healthyThreshold, 1, 10)
  requireIntegerIn('healthCheck.unhealthyThreshold', check.unhealthyThreshold, 1, 10)
  if (check.type === 'HTTP') {
    if (!/^\/[\x21-\x7e]*$/.test(check.path)) invalid('healthCheck.path', 'must start with / and have no spaces')
    requireIntegerIn('healthCheck.expectedStatusMin', check.expectedStatusMin, 100, 599)
    requireIntegerIn('healthCheck.expectedStatusMax', check.expectedStatusMax, check.expectedStatusMin, 599)
  }
}
