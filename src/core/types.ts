/**
 * The domain records, as the store keeps them and the API shows them. Words from the glossary
 * (shared/DESIGN.md); units as suffixes; times are epoch milliseconds (`…AtMs`).
 */

import type {
  ActivityId,
  AlarmId,
  DatabaseId,
  ImageId,
  InstanceId,
  LaunchConfigurationId,
  LoadBalancerId,
  ScalingGroupId,
  ScalingRuleId,
  ScheduledTaskId,
  TokenId,
} from './ids.ts'
import type { LoadBalancerAttachment } from './load-balancer.ts'
import type { StepAdjustment } from './rules/step-adjustment.ts'
import type { TargetTracking } from './rules/target-tracking.ts'

/** What an instance runs: a registered directory and command. Requests never carry a command. */
export interface Image {
  readonly id: ImageId
  readonly name: string
  readonly directory: string
  /** argv, run in `directory` without a shell. */
  readonly command: readonly string[]
  /** HTTP path that answers 2xx once the application is ready; absent: ready once running. */
  readonly healthPath: string | null
  readonly createdAtMs: number
}

export interface LaunchConfiguration {
  readonly id: LaunchConfigurationId
  readonly name: string
  readonly imageId: ImageId
  readonly instanceType: string
  /** Handed to the instance as a file (USER_DATA_FILE), never executed by Billow itself. */
  readonly userData: string | null
  readonly env: Readonly<Record<string, string>>
  readonly appPort: number
  readonly tags: Readonly<Record<string, string>>
  /**
   * The group it was made for, when it belongs to one (ESS scaling configurations do: listed
   * per group, at most a few per group); absent for a standalone launch configuration.
   */
  readonly scalingGroupId?: ScalingGroupId
  readonly createdAtMs: number
}

export interface Zone {
  readonly zoneId: string
  /** IPv4 CIDR the zone's instances take their private IPs from, e.g. 127.20.1.0/24. */
  readonly subnet: string
}

export const REMOVAL_POLICIES = ['OldestInstance', 'NewestInstance', 'OldestScalingConfiguration'] as const
export type RemovalPolicyName = (typeof REMOVAL_POLICIES)[number]

/**
 * Active: scales. Inactive: disabled by an operator, nothing is launched or removed (the clouds'
 * "disabled" group). Deleting: a forced delete is draining the group before its record goes.
 */
export type ScalingGroupState = 'Active' | 'Inactive' | 'Deleting'

export interface ScalingGroup {
  readonly id: ScalingGroupId
  readonly name: string
  readonly state: ScalingGroupState
  readonly minSize: number
  readonly maxSize: number
  /** Absent: the group only keeps min ≤ count ≤ max. */
  readonly desiredCapacity: number | null
  readonly defaultCooldownSeconds: number
  readonly zones: readonly Zone[]
  /** Up to two, applied in order; ties are then broken by balancing zones. */
  readonly removalPolicies: readonly RemovalPolicyName[]
  /**
   * Null until the group has one: ESS creates a group first and its scaling configuration
   * after. A group without one stays Inactive (it cannot be enabled).
   */
  readonly launchConfigurationId: LaunchConfigurationId | null
  /** End of the cooldown that the last rule-driven activity started; null when none. */
  readonly cooldownUntilMs: number | null
  /** After a failed fixed-number activity the group waits before trying again, doubling up to a limit. */
  readonly retryAfterMs: number | null
  readonly consecutiveFailures: number
  /** Balancers whose pool the group's InService instances join. */
  readonly loadBalancers: readonly LoadBalancerAttachment[]
  /** Databases whose IP allowlist follows the group's instances. */
  readonly databaseIds: readonly DatabaseId[]
  /** What decides an InService instance is unhealthy: its process (Provider) or also the balancers' checks. */
  readonly healthCheckType: HealthCheckType
  /** After launch, balancer health checks do not count against an instance for this long. */
  readonly healthCheckGracePeriodSeconds: number
  readonly createdAtMs: number
}

export const HEALTH_CHECK_TYPES = ['Provider', 'LoadBalancer'] as const
export type HealthCheckType = (typeof HEALTH_CHECK_TYPES)[number]

export const ADJUSTMENT_TYPES = ['QuantityChangeInCapacity', 'PercentChangeInCapacity', 'TotalCapacity'] as const
export type AdjustmentType = (typeof ADJUSTMENT_TYPES)[number]

export interface ScalingRule {
  readonly id: ScalingRuleId
  readonly groupId: ScalingGroupId
  readonly name: string
  readonly adjustmentType: AdjustmentType
  readonly adjustmentValue: number
  /** For PercentChangeInCapacity: the smallest change in instances a run makes. */
  readonly minAdjustmentMagnitude: number | null
  /** Overrides the group's default cooldown when set. */
  readonly cooldownSeconds: number | null
  /** Simple when absent (records written before step and target-tracking rules existed). */
  readonly ruleType?: RuleType
  /** Step rules: the adjustment by distance past the alarm's threshold; adjustmentType applies to each. */
  readonly stepAdjustments?: readonly StepAdjustment[]
  /** Target-tracking rules: the metric and its target; Billow owns the rule's alarms. */
  readonly targetTracking?: TargetTracking
  readonly createdAtMs: number
}

export const RULE_TYPES = ['Simple', 'Step', 'TargetTracking'] as const
export type RuleType = (typeof RULE_TYPES)[number]

/**
 * Instance lifecycle:
 *
 *   Pending ──booted and healthy──▶ InService ──chosen by scale-in / removed──▶ Removing ──▶ Terminated
 *      │                               │  ▲                                        ▲
 *      └──failed to boot / exited──────┼──┼────────────────────────────────────────┘
 *                                      ▼  │
 *                                    Standby (later issues)
 *
 * Detached instances leave the group and keep running as standalone instances (groupId null).
 */
export type InstanceState = 'Pending' | 'InService' | 'Standby' | 'Removing' | 'Terminated'
export type InstanceHealth = 'Healthy' | 'Unhealthy'
export type JoinedBy = 'AutoCreated' | 'Attached'

export interface Instance {
  readonly id: InstanceId
  readonly groupId: ScalingGroupId | null
  readonly state: InstanceState
  readonly health: InstanceHealth
  readonly protected: boolean
  readonly joinedBy: JoinedBy
  readonly launchConfigurationId: LaunchConfigurationId | null
  readonly imageId: ImageId
  readonly instanceType: string
  readonly zoneId: string
  readonly privateIp: string
  readonly port: number
  /** The launch's idempotency token; unique. */
  readonly clientToken: string
  /** The activity that launched it, when one did. */
  readonly activityId: ActivityId | null
  /** What the instance should do when it leaves: terminate, or only leave the group. */
  readonly removalAction: 'terminate' | 'detach' | null
  /** When it entered Removing: bounds how long a drain or an unreachable database may hold it. */
  readonly removalStartedAtMs: number | null
  readonly limitsEnforced: boolean
  readonly limitsNote: string | null
  readonly statusReason: string | null
  readonly createdAtMs: number
  readonly inServiceAtMs: number | null
  readonly terminatedAtMs: number | null
  /** Balancers that have this instance in their pool (registered, or still draining). */
  readonly registeredLoadBalancerIds: readonly LoadBalancerId[]
  /** Databases whose allowlist holds this instance's address. */
  readonly allowlistedDatabaseIds: readonly DatabaseId[]
}

export const LIVE_INSTANCE_STATES: readonly InstanceState[] = ['Pending', 'InService', 'Standby']

export const isLive = (instance: Pick<Instance, 'state'>): boolean => LIVE_INSTANCE_STATES.includes(instance.state)

/**
 * Activity status:
 *
 *   Queued ──started──▶ InProgress ──▶ Successful | Warning (partly done) | Failed
 *     │
 *     └──refused at start (cooldown, bounds, group not active)──▶ Rejected
 */
export type ActivityStatus = 'Queued' | 'InProgress' | 'Successful' | 'Warning' | 'Failed' | 'Rejected'

export const TERMINAL_ACTIVITY_STATUSES: readonly ActivityStatus[] = ['Successful', 'Warning', 'Failed', 'Rejected']

export const isTerminalStatus = (status: ActivityStatus): boolean => TERMINAL_ACTIVITY_STATUSES.includes(status)

/** What asked for the activity. Requests are queued; the engine creates the rest itself. */
export type ActivityRequest =
  | {
      readonly kind: 'ExecuteRule'
      readonly ruleId: ScalingRuleId
      readonly honorCooldown: boolean
      readonly origin: 'Manual'
    }
  | {
      readonly kind: 'ExecuteRule'
      readonly ruleId: ScalingRuleId
      readonly honorCooldown: boolean
      readonly origin: 'Scheduled'
      readonly scheduled: ScheduledCause
    }
  /** Dynamic mode: an alarm in ALARM runs its rules at each evaluation; always honours cooldown. */
  | {
      readonly kind: 'ExecuteRule'
      readonly ruleId: ScalingRuleId
      readonly honorCooldown: boolean
      readonly origin: 'Alarm'
      readonly alarmId: AlarmId
      /** The statistic that breached and its threshold: step rules scale by the distance between them. */
      readonly metricValue: number | null
      readonly threshold: number | null
    }
  | { readonly kind: 'SetDesiredCapacity'; readonly desiredCapacity: number; readonly honorCooldown: boolean }
  /** A scheduled task's min / max / desired change, or a window's revert of one. null: leave as is. */
  | {
      readonly kind: 'SetGroupSize'
      readonly minSize: number | null
      readonly maxSize: number | null
      readonly desiredCapacity: number | null
      readonly honorCooldown: boolean
      readonly origin: 'Scheduled'
      readonly scheduled: ScheduledCause
      /** For a revert: the size the task's run left; any other size means the group changed since, and the revert is refused. */
      readonly expected: GroupSize | null
    }
  | { readonly kind: 'AttachInstances'; readonly instanceIds: readonly InstanceId[] }
  | {
      readonly kind: 'DetachInstances'
      readonly instanceIds: readonly InstanceId[]
      readonly decrementDesired: boolean
    }
  | {
      readonly kind: 'RemoveInstances'
      readonly instanceIds: readonly InstanceId[]
      readonly terminateAttached: boolean
    }
  | { readonly kind: 'FixedNumber' }
  | { readonly kind: 'ElasticRecovery'; readonly instanceIds: readonly InstanceId[] }

export type ActivityRequestKind = ActivityRequest['kind']

/** Which occurrence of which scheduled task asked for an activity, and for which half of it. */
export interface ScheduledCause {
  readonly taskId: ScheduledTaskId
  readonly occurrenceAtMs: number
  readonly phase: 'Start' | 'Revert'
}

/** A group's size settings: what a scheduled task sets, and what a window's revert restores. */
export interface GroupSize {
  readonly minSize: number
  readonly maxSize: number
  readonly desiredCapacity: number | null
}

/** Made when the activity starts, written before any of its steps runs. */
export interface ActivityPlan {
  readonly capacityBefore: number
  readonly capacityAfter: number
  readonly launchCount: number
  /** The zone of each launch, in launch order (length launchCount). */
  readonly launchZones: readonly string[]
  readonly removals: readonly { readonly instanceId: InstanceId; readonly action: 'terminate' | 'detach' }[]
  readonly attachments: readonly InstanceId[]
  /** Whether the group's cooldown starts when this activity ends. */
  readonly startsCooldown: boolean
  readonly cooldownSeconds: number
  /** The group's size settings when the activity started and as it left them (absent in older records). */
  readonly sizeBefore?: GroupSize
  readonly sizeAfter?: GroupSize
}

export interface Activity {
  readonly id: ActivityId
  readonly groupId: ScalingGroupId
  readonly request: ActivityRequest
  readonly status: ActivityStatus
  readonly cause: string
  readonly description: string
  readonly plan: ActivityPlan | null
  readonly progressPercent: number
  readonly statusMessage: string | null
  readonly createdAtMs: number
  readonly startedAtMs: number | null
  readonly endedAtMs: number | null
}

export type TokenScope = 'full' | 'read-only'

export interface ApiToken {
  readonly id: TokenId
  readonly name: string
  readonly scope: TokenScope
  /** sha256 of the secret, hex; the secret itself is shown once and never stored. */
  readonly secretSha256: string
  readonly createdAtMs: number
}
