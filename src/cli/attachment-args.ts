/**
 * The argument syntaxes of load balancers and their attachments: `HTTP:8000` listeners,
 * `http:/health:200-399` health checks, `lb-…:port:weight` attachments. Pure parsers that throw
 * UsageError, and their commander collectors. Only shapes are checked; the server owns ranges.
 */
import { InvalidArgumentError } from 'commander'
import type { HealthCheck, ListenerProtocol } from '../core/load-balancer.ts'
import { parseInteger } from './args.ts'
import { UsageError } from './errors.ts'
import { asInvalidArgument } from './option-parsers.ts'

export interface ListenerArgument {
  readonly protocol: ListenerProtocol
  readonly host?: string
  readonly port: number
}

const IPV4_SHAPE = /^\d{1,3}(\.\d{1,3}){3}$/

/** `HTTP:8000` or `TCP:127.0.0.1:9000`; the protocol in any case. Without a host the server binds loopback. */
export function parseListener(text: string): ListenerArgument {
  const parts = text.split(':')
  const usage = `expected PROTOCOL:[HOST:]PORT (e.g. HTTP:8000 or TCP:127.0.0.1:9000), got '${text}'`
  if (parts.length < 2 || parts.length > 3) throw new UsageError(usage)
  const protocol = (parts[0] ?? '').toUpperCase()
  if (protocol !== 'HTTP' && protocol !== 'TCP') {
    throw new UsageError(`listener protocol must be HTTP or TCP; got '${parts[0]}' in '${text}'`)
  }
  const host = parts.length === 3 ? parts[1] : undefined
  if (host !== undefined && !IPV4_SHAPE.test(host)) {
    throw new UsageError(`listener host must be an IPv4 address like 127.0.0.1; got '${host}'`)
  }
  const port = parseInteger(parts[parts.length - 1] ?? '', 'listener port', { min: 1 })
  return host === undefined ? { protocol, port } : { protocol, host, port }
}

/** What `--health-check` says; what it leaves out comes from the current or the default check. */
export type HealthCheckArgument =
  | {
      readonly type: 'HTTP'
      readonly path?: string
      readonly expectedStatusMin?: number
      readonly expectedStatusMax?: number
    }
  | { readonly type: 'TCP' }

/** A trailing `:200` or `:200-399` on an HTTP check is the range of healthy statuses. */
const STATUS_SUFFIX = /:(\d{3})(?:-(\d{3}))?$/

/** `tcp`, `http`, `http:/health`, `http:/health:200-399` (or `:200`). The type in any case. */
export function parseHealthCheck(text: string): HealthCheckArgument {
  const at = text.indexOf(':')
  const type = (at < 0 ? text : text.slice(0, at)).toUpperCase()
  const rest = at < 0 ? undefined : text.slice(at + 1)
  if (type === 'TCP') {
    if (rest !== undefined) throw new UsageError(`a tcp health check takes no path or statuses; got '${text}'`)
    return { type: 'TCP' }
  }
  if (type !== 'HTTP') {
    throw new UsageError(`expected http[:/PATH[:MIN-MAX]] or tcp (e.g. http:/health:200-399), got '${text}'`)
  }
  if (rest === undefined) return { type: 'HTTP' }
  const statuses = STATUS_SUFFIX.exec(rest)
  const path = statuses ? rest.slice(0, statuses.index) : rest
  if (!path.startsWith('/')) throw new UsageError(`the health check path must start with /; got '${path}'`)
  if (!statuses) return { type: 'HTTP', path }
  const min = Number(statuses[1])
  const max = statuses[2] === undefined ? min : Number(statuses[2])
  if (max < min) throw new UsageError(`health check statuses ${min}-${max}: the range is backwards`)
  return { type: 'HTTP', path, expectedStatusMin: min, expectedStatusMax: max }
}

export interface HealthCheckFlags {
  readonly healthCheck?: HealthCheckArgument
  readonly interval?: number
  readonly timeout?: number
  readonly healthy?: number
  readonly unhealthy?: number
}

export const hasHealthCheckFlags = (flags: HealthCheckFlags): boolean =>
  flags.healthCheck !== undefined ||
  flags.interval !== undefined ||
  flags.timeout !== undefined ||
  flags.healthy !== undefined ||
  flags.unhealthy !== undefined

/**
 * The whole health check the API wants, from the flags over `base` (the balancer's current check,
 * or the server's default for a new one). An HTTP check that was TCP takes its path and statuses
 * from `httpDefaults`.
 */
export function mergeHealthCheck(flags: HealthCheckFlags, base: HealthCheck, httpDefaults: HealthCheck): HealthCheck {
  const thresholds = {
    intervalSeconds: flags.interval ?? base.intervalSeconds,
    timeoutSeconds: flags.timeout ?? base.timeoutSeconds,
    healthyThreshold: flags.healthy ?? base.healthyThreshold,
    unhealthyThreshold: flags.unhealthy ?? base.unhealthyThreshold,
  }
  const wanted = flags.healthCheck ?? (base.type === 'HTTP' ? { type: 'HTTP' as const } : { type: 'TCP' as const })
  if (wanted.type === 'TCP') return { type: 'TCP', ...thresholds }
  const http = base.type === 'HTTP' ? base : httpDefaults.type === 'HTTP' ? httpDefaults : undefined
  return {
    type: 'HTTP',
    path: wanted.path ?? http?.path ?? '/',
    expectedStatusMin: wanted.expectedStatusMin ?? http?.expectedStatusMin ?? 200,
    expectedStatusMax: wanted.expectedStatusMax ?? http?.expectedStatusMax ?? 399,
    ...thresholds,
  }
}

export interface AttachmentArgument {
  readonly loadBalancerId: string
  readonly port?: number
  readonly weight?: number
}

/** `lb-…`, `lb-…:8080`, `lb-…:8080:5`, or `lb-…::5` (weight only, the instances' app port). */
export function parseAttachment(text: string): AttachmentArgument {
  const [id = '', port = '', weight = '', ...extra] = text.split(':')
  if (id.length === 0 || extra.length > 0) {
    throw new UsageError(`expected LB[:PORT][:WEIGHT] (e.g. lb-1:8080:5 or lb-1::5), got '${text}'`)
  }
  return {
    loadBalancerId: id,
    ...(port === '' ? {} : { port: parseInteger(port, `port in '${text}'`, { min: 1 }) }),
    ...(weight === '' ? {} : { weight: parseInteger(weight, `weight in '${text}'`, { min: 1 }) }),
  }
}

export const listenerOption = (value: string, previous: ListenerArgument[] | undefined): ListenerArgument[] => [
  ...(previous ?? []),
  asInvalidArgument(() => parseListener(value)),
]

export const healthCheckOption = (value: string): HealthCheckArgument =>
  asInvalidArgument(() => parseHealthCheck(value))

export const attachmentOption = (value: string, previous: AttachmentArgument[] | undefined): AttachmentArgument[] => [
  ...(previous ?? []),
  asInvalidArgument(() => parseAttachment(value)),
]

/** A repeatable plain value (`--db db-1 --db db-2`); a value given twice is a mistake worth naming. */
export function collectId(what: string) {
  return (value: string, previous: string[] | undefined): string[] => {
    if (previous?.includes(value)) throw new InvalidArgumentError(`${what} ${value} is given twice`)
    return [...(previous ?? []), value]
  }
}
