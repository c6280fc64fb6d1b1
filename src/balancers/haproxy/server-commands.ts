/**
 * The runtime API commands that add, drain and remove one server of one backend (HAProxy 2.6:
 * dynamic servers need no experimental mode; `del server` takes any server, from the file or
 * added at run time, once it is in maintenance with no connection left).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { LoadBalancer } from '../../core/load-balancer.ts'
import { BalancerError } from '../../ports/balancer.ts'
import { effectiveWeight, type ServerEntry, serverArguments } from './haproxy-config.ts'
import { runtimeCommand } from './runtime-api.ts'

/** Attempts at `del server` while haproxy closes the server's idle connections, and the pause between. */
const DELETE_ATTEMPTS = 20
const DELETE_RETRY_MS = 25

/** Runs commands that answer nothing when they succeed; anything else is haproxy refusing. */
async function quietCommand(socketPath: string, line: string): Promise<void> {
  const answer = (await runtimeCommand(socketPath, line)).trim()
  if (answer !== '') throw new BalancerError(`haproxy refused "${line}": ${answer}`, 'Unavailable')
}

/**
 * Adds the server so that it takes no request before its health check passes. A dynamic server is
 * added in maintenance with checks off; leaving maintenance would count it as up at once, so it
 * leaves with weight 0 (never chosen), is forced down, and only then gets its weight: from there
 * `rise` passing checks bring it up.
 */
export async function addServer(
  socketPath: string,
  loadBalancer: LoadBalancer,
  backendName: string,
  server: Omit<ServerEntry, 'draining'>,
): Promise<void> {
  const name = `${backendName}/${server.instanceId}`
  const weight = effectiveWeight(loadBalancer.algorithm, server.weight)
  const added = await runtimeCommand(
    socketPath,
    `add server ${name} ${serverArguments(loadBalancer, server, 0)} disabled`,
  )
  if (added.trim() !== 'New server registered.') {
    throw new BalancerError(`haproxy refused to add ${name}: ${added.trim()}`, 'Unavailable')
  }
  await quietCommand(
    socketPath,
    `enable health ${name}; enable server ${name}; set server ${name} health down; set server ${name} weight ${weight}`,
  )
}

export const setServerState = (socketPath: string, name: string, state: 'ready' | 'drain' | 'maint') =>
  quietCommand(socketPath, `set server ${name} state ${state}`)

export const setServerWeight = (socketPath: string, name: string, weight: number) =>
  quietCommand(socketPath, `set server ${name} weight ${weight}`)

/**
 * Puts the server in maintenance and deletes it. With `closeConnections` (the drain time is over)
 * its remaining sessions are cut first. Resolves false while haproxy still holds a connection to it.
 */
export async function removeServer(socketPath: string, name: string, closeConnections: boolean): Promise<boolean> {
  await setServerState(socketPath, name, 'maint')
  if (closeConnections) await quietCommand(socketPath, `shutdown sessions server ${name}`)
  for (let attempt = 1; ; attempt++) {
    const answer = (await runtimeCommand(socketPath, `del server ${name}`)).trim()
    if (answer === 'Server deleted.' || answer.startsWith('No such server')) return true
    if (!answer.includes('still has connections')) {
      throw new BalancerError(`haproxy refused "del server ${name}": ${answer}`, 'Unavailable')
    }
    if (attempt >= DELETE_ATTEMPTS) return false
    await sleep(DELETE_RETRY_MS)
  }
}
