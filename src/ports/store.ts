/**
 * Where every piece of state lives. Implementations: store/sqlite (the embedded default; also
 * in-memory for engine tests and the simulator), store/postgres later.
 *
 * Contract: each method is one statement; `transaction` runs its work atomically and in
 * isolation from other writers (one command = one transaction, so nothing is half written).
 * Reads return frozen snapshots; writers pass whole records (no partial updates).
 */
import type { AccessKey } from '../core/access-key.ts'
import type { Alarm, AlarmHistoryEntry } from '../core/alarms/alarm.ts'
import type { ScalingDecision } from '../core/alarms/decision.ts'
import type { ClientTokenRecord } from '../core/client-token.ts'
import type { Database } from '../core/database.ts'
import type {
  AccessKeyId,
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
} from '../core/ids.ts'
import type { LoadBalancer } from '../core/load-balancer.ts'
import type { MetricPoint } from '../core/metrics/metric.ts'
import type { RollUp } from '../core/metrics/statistics.ts'
import type { ScheduledTask, ScheduledTaskRun } from '../core/schedule/scheduled-task.ts'
import type {
  Activity,
  ActivityStatus,
  ApiToken,
  Image,
  Instance,
  InstanceState,
  LaunchConfiguration,
  ScalingGroup,
  ScalingRule,
} from '../core/types.ts'

/** A table of records keyed by id. `insert` throws on a duplicate id; `update` on a missing one. */
export interface RecordTable<T, Id> {
  get(id: Id): Promise<T | undefined>
  insert(record: T): Promise<void>
  update(record: T): Promise<void>
  /** Idempotent: deleting a missing record resolves. */
  delete(id: Id): Promise<void>
}

export interface InstanceFilter {
  /** A group id, or null for standalone instances; absent for all. */
  readonly groupId?: ScalingGroupId | null
  readonly states?: readonly InstanceState[]
}

export interface ActivityFilter {
  readonly groupId?: ScalingGroupId
  readonly statuses?: readonly ActivityStatus[]
  /** Newest first when limited; oldest first otherwise (queue order). */
  readonly newestFirst?: boolean
  readonly limit?: number
}

export interface Collections {
  readonly images: RecordTable<Image, ImageId> & { list(): Promise<readonly Image[]> }
  readonly launchConfigurations: RecordTable<LaunchConfiguration, LaunchConfigurationId> & {
    list(): Promise<readonly LaunchConfiguration[]>
    countUsingImage(imageId: ImageId): Promise<number>
  }
  readonly groups: RecordTable<ScalingGroup, ScalingGroupId> & {
    list(): Promise<readonly ScalingGroup[]>
    findByName(name: string): Promise<ScalingGroup | undefined>
    countUsingLaunchConfiguration(launchConfigurationId: LaunchConfigurationId): Promise<number>
  }
  readonly rules: RecordTable<ScalingRule, ScalingRuleId> & {
    list(filter: { groupId?: ScalingGroupId }): Promise<readonly ScalingRule[]>
  }
  readonly instances: RecordTable<Instance, InstanceId> & {
    list(filter: InstanceFilter): Promise<readonly Instance[]>
    findByClientToken(clientToken: string): Promise<Instance | undefined>
  }
  readonly activities: RecordTable<Activity, ActivityId> & {
    list(filter: ActivityFilter): Promise<readonly Activity[]>
    /** How many activities have this status, counted without reading them. */
    countWithStatus(status: ActivityStatus): Promise<number>
  }
  readonly tokens: RecordTable<ApiToken, TokenId> & {
    list(): Promise<readonly ApiToken[]>
    findBySecretSha256(secretSha256: string): Promise<ApiToken | undefined>
  }
  readonly accessKeys: RecordTable<AccessKey, AccessKeyId> & { list(): Promise<readonly AccessKey[]> }
  /** Idempotency of requests that carry a client token; keyed by `<operation>:<token>`. */
  readonly clientTokens: RecordTable<ClientTokenRecord, string> & {
    /** Forgets tokens recorded before `createdBeforeMs`; returns how many went. */
    deleteCreatedBefore(createdBeforeMs: number): Promise<number>
  }
  readonly loadBalancers: RecordTable<LoadBalancer, LoadBalancerId> & {
    list(): Promise<readonly LoadBalancer[]>
    findByName(name: string): Promise<LoadBalancer | undefined>
  }
  readonly databases: RecordTable<Database, DatabaseId> & {
    list(): Promise<readonly Database[]>
    findByName(name: string): Promise<Database | undefined>
  }
  readonly scheduledTasks: RecordTable<ScheduledTask, ScheduledTaskId> & {
    /** In creation order. */
    list(filter: { groupId?: ScalingGroupId }): Promise<readonly ScheduledTask[]>
  }
  /**
   * A task's history. `insert` throws when (taskId, occurrenceAtMs, phase) is recorded already
   * (a UNIQUE constraint): that is what makes each occurrence run at most once.
   */
  readonly scheduledTaskRuns: RecordTable<ScheduledTaskRun, string> & {
    /** Newest occurrence first. */
    list(filter: { taskId: ScheduledTaskId; limit?: number }): Promise<readonly ScheduledTaskRun[]>
    /** Runs the scheduler still has work on (`isOpenRun`), oldest occurrence first. */
    listOpen(): Promise<readonly ScheduledTaskRun[]>
    /** The latest occurrence of the task that has a Start run; undefined when none has. */
    latestOccurrenceAtMs(taskId: ScheduledTaskId): Promise<number | undefined>
    /** Idempotent. */
    deleteForTask(taskId: ScheduledTaskId): Promise<void>
  }
  readonly alarms: RecordTable<Alarm, AlarmId> & {
    /** In creation order. */
    list(filter: { groupId?: ScalingGroupId }): Promise<readonly Alarm[]>
  }
  readonly alarmHistory: {
    insert(entry: AlarmHistoryEntry): Promise<void>
    /** Newest first. */
    list(filter: { alarmId: AlarmId; limit: number }): Promise<readonly AlarmHistoryEntry[]>
    /** Idempotent. */
    deleteForAlarm(alarmId: AlarmId): Promise<void>
  }
  readonly decisions: {
    insert(decision: ScalingDecision): Promise<void>
    /** Newest first. */
    list(filter: { groupId: ScalingGroupId; limit: number }): Promise<readonly ScalingDecision[]>
    /** Forgets decisions made before `beforeMs`; returns how many went. */
    deleteBefore(beforeMs: number): Promise<number>
  }
  readonly metrics: MetricTable
  /** Small installation-wide values: account id, schema version. */
  readonly meta: {
    get(key: string): Promise<string | undefined>
    set(key: string, value: string): Promise<void>
  }
}

/** What a metric query selects: one series, or every series of a group (group statistics). */
export interface MetricSeriesFilter {
  readonly namespace: string
  readonly name: string
  /** Absent: any group (custom metrics without a group). */
  readonly groupId?: ScalingGroupId
  /** Absent: every instance (and none); a group statistic then takes only counted points. */
  readonly instanceId?: InstanceId
  /** Canonical text (dimensionsKey); absent: any dimensions. */
  readonly dimensionsKey?: string
  /** Only points that count toward group statistics (past warm-up). */
  readonly countedOnly?: boolean
}

/**
 * Raw points (one a second per series, kept for the raw window) and one-minute roll-ups (count,
 * sum, minimum, maximum; kept longer). `insert` updates the roll-ups in the same statement batch.
 */
export interface MetricTable {
  insert(points: readonly MetricPoint[]): Promise<void>
  /** Values of matching raw points with fromMs ≤ atMs < toMs, with their times. */
  rawValues(
    filter: MetricSeriesFilter,
    fromMs: number,
    toMs: number,
  ): Promise<readonly { atMs: number; value: number }[]>
  /** Roll-ups of matching series for minutes starting in [fromMs, toMs). */
  rollUps(filter: MetricSeriesFilter, fromMs: number, toMs: number): Promise<readonly (RollUp & { minuteMs: number })[]>
  /** Series names seen for a group or namespace, for listings. */
  names(filter: {
    groupId?: ScalingGroupId
    namespace?: string
  }): Promise<readonly { namespace: string; name: string }[]>
  /** Deletes raw points before `rawBeforeMs` and roll-ups before `rollUpsBeforeMs`; returns how many raw points went. */
  prune(rawBeforeMs: number, rollUpsBeforeMs: number): Promise<number>
}

export interface Store extends Collections {
  transaction<T>(work: (tx: Collections) => Promise<T>): Promise<T>
  close(): Promise<void>
}
