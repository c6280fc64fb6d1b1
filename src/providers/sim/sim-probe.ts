/**
 * The simulated world's InstanceProbe: an instance is ready once the clock has passed its launch
 * time plus the world's boot time and it is still running (see SimProvider.probeResult).
 */
import type { InstanceProbe, ProbeResult } from '../../ports/instance-probe.ts'
import type { SimProvider } from './sim-provider.ts'

export class SimProbe implements InstanceProbe {
  readonly #provider: SimProvider

  constructor(provider: SimProvider) {
    this.#provider = provider
  }

  async probe(instance: Parameters<InstanceProbe['probe']>[0], _healthPath: string): Promise<ProbeResult> {
    return this.#provider.probeResult(instance.id)
  }
}
