import type { InstanceId } from '../core/ids.ts'
import type { Instance } from '../core/types.ts'
import type { Store } from '../ports/store.ts'

/** Read-modify-write of one instance in a transaction, so concurrent API writes are not lost. */
export async function patchInstance(
  store: Store,
  instanceId: InstanceId,
  change: (current: Instance) => Instance,
): Promise<Instance | undefined> {
  return store.transaction(async (tx) => {
    const current = await tx.instances.get(instanceId)
    if (current === undefined) return undefined
    const next = change(current)
    if (next !== current) await tx.instances.update(next)
    return next
  })
}
