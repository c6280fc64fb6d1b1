import type { RemovalPolicy } from './removal-policy.ts'

/** Scale-in takes the newest instances first (keeps warmed-up caches of long-lived instances). */
export const newestInstance: RemovalPolicy = {
  name: 'NewestInstance',
  order: (a, b) => b.createdAtMs - a.createdAtMs,
}
