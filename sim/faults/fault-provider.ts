/**
 * A Provider that fails on demand, in front of the world's SimProvider: launch failures (nothing
 * made), launch timeouts (the instance is made, the answer is lost: a retry must find it by its
 * client token), and a dead controller (after a crash no call leaves the process).
 */
import type { InstanceId } from '../../src/core/ids.ts'
import type { LaunchRequest, ObservedInstance, Provider } from '../../src/ports/provider.ts'
import { ProviderError } from '../../src/ports/provider.ts'

export type LaunchFault = 'fail-retryable' | 'fail-permanent' | 'timeout'

export interface FaultProviderControl {
  readonly provider: Provider
  /** Asked before each launch; a fault to inject, or null. */
  launchFault: (request: LaunchRequest) => LaunchFault | null
}

export function faultProvider(inner: Provider, isDead: () => boolean): FaultProviderControl {
  const settings: Omit<FaultProviderControl, 'provider'> = { launchFault: () => null }
  const alive = (call: string): void => {
    if (isDead()) throw new ProviderError(`simulated controller crash before ${call}`, 'retryable')
  }
  const provider: Provider = {
    name: inner.name,
    async launch(request: LaunchRequest): Promise<ObservedInstance> {
      alive('launch')
      const fault = settings.launchFault(request)
      if (fault === 'fail-retryable') throw new ProviderError('simulated launch failure', 'retryable')
      if (fault === 'fail-permanent') throw new ProviderError('simulated launch failure', 'permanent')
      const made = await inner.launch(request)
      if (fault === 'timeout') throw new ProviderError('simulated launch timeout (the instance was made)', 'retryable')
      return made
    },
    async terminate(instanceId: InstanceId): Promise<void> {
      alive('terminate')
      return inner.terminate(instanceId)
    },
    list: () => inner.list(),
    logs: (instanceId, maxBytes) => inner.logs(instanceId, maxBytes),
  }
  return Object.assign(settings, { provider })
}
