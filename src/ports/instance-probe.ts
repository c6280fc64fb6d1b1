/**
 * Asks a booting instance whether its application is ready. Implementations: an HTTP GET of the
 * image's health path (probe/http), and the simulated world's probe.
 */
import type { Instance } from '../core/types.ts'

export type ProbeResult = 'ready' | 'not-ready'

export interface InstanceProbe {
  /** Never throws: a refused connection or a timeout is 'not-ready'. */
  probe(instance: Pick<Instance, 'id' | 'privateIp' | 'port'>, healthPath: string): Promise<ProbeResult>
}
