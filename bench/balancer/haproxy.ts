/**
 * HAProxy as the reference: Debian's package, started in the foreground with a minimal
 * configuration equivalent to the built-in proxy's (round robin, X-Forwarded-For, keep-alive to
 * the backends, TCP health checks), and stopped by PID.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const HAPROXY = '/usr/sbin/haproxy'

export interface HaproxyTargets {
  readonly httpBind: string
  readonly tcpBind: string
  readonly backends: readonly string[]
  /** Threads; null keeps HAProxy's default (one per CPU). */
  readonly threads: number | null
}

export function haproxyConfig(targets: HaproxyTargets): string {
  const servers = (mode: string) =>
    targets.backends.map((address, index) => `  server ${mode}${index} ${address} check inter 1s`).join('\n')
  return `global
  maxconn 4096
${targets.threads === null ? '' : `  nbthread ${targets.threads}\n`}
defaults
  timeout connect 3s
  timeout client 30s
  timeout server 30s
  timeout http-keep-alive 15s

frontend http_in
  mode http
  bind ${targets.httpBind}
  option forwardfor
  default_backend http_out

backend http_out
  mode http
  balance roundrobin
  http-reuse always
${servers('h')}

frontend tcp_in
  mode tcp
  bind ${targets.tcpBind}
  default_backend tcp_out

backend tcp_out
  mode tcp
  balance roundrobin
${servers('t')}
`
}

export async function startHaproxy(directory: string, targets: HaproxyTargets): Promise<ChildProcess> {
  const configPath = join(directory, 'haproxy.cfg')
  await writeFile(configPath, haproxyConfig(targets))
  const child = spawn(HAPROXY, ['-db', '-f', configPath], { stdio: ['ignore', 'ignore', 'inherit'] })
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject)
    child.once('spawn', resolve)
  })
  return child
}
