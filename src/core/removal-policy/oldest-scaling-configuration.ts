import type { RemovalPolicy } from './removal-policy.ts'

/**
 * Scale-in takes instances made from the oldest launch configuration first, so a group that
 * changed its configuration drifts to the new one. Attached instances were made by no
 * configuration of the group; they count as the oldest (Number.NEGATIVE_INFINITY).
 */
export const oldestScalingConfiguration: RemovalPolicy = {
  name: 'OldestScalingConfiguration',
  order: (a, b, context) => createdAt(a.launchConfigurationId, context) - createdAt(b.launchConfigurationId, context),
}

function createdAt(
  launchConfigurationId: string | null,
  context: { launchConfigurationCreatedAtMs: ReadonlyMap<string, number> },
): number {
  if (launchConfigurationId === null) return Number.NEGATIVE_INFINITY
  return context.launchConfigurationCreatedAtMs.get(launchConfigurationId) ?? Number.NEGATIVE_INFINITY
}
