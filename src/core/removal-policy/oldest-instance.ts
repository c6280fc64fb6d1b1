import type { RemovalPolicy } from './removal-policy.ts'

/** Scale-in takes the oldest instances first. */
export const oldestInstance: RemovalPolicy = {
  name: 'OldestInstance',
  order: (a, b) => a.createdAtMs - b.createdAtMs,
}
