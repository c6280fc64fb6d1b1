import { BillowError } from '../core/errors.ts'
import type { DatabaseId, InstanceId, LaunchConfigurationId, ScalingGroupId } from '../core/ids.ts'
import type { LoadBalancerAttachment } from '../core/load-balancer.ts'
import { parseSubnet, subnetsOverlap } from '../core/subnet.ts'
import {
  HEALTH_CHECK_TYPES,
  type HealthCheckType,
  isLive,
  REMOVAL_POLICIES,
  type RemovalPolicyName,
  type ScalingGroup,
  type Zone,
} from '../core/types.ts'
import type { Collections } from '../ports/store.ts'
import type { ServiceContext } from './context.ts'
import { invalid, notFound, requireIntegerIn, requireName } from './validate.ts'

/** A group's max size; a limit on everything, and a local machine runs no more than this. */
export const GROUP_SIZE_MAX = 1_000
export const ZONES_MAX = 5
export const COOLDOWN_SECONDS_MAX = 86_400
export const DEFAULT_COOLDOWN_SECONDS = 300
/** Time a new instance gets before failed balancer checks count against it (ESS's default is 300 s). */
export const DEFAULT_GRACE_PERIOD_SECONDS = 60
export const GRACE_PERIOD_SECONDS_MAX = 86_400
/** Balancers and databases per group: the clouds allow a handful; a limit on everything. */
export const ATTACHMENTS_MAX = 10
/** ESS's default order: instances of the oldest configuration, then the oldest instances. */
export const DEFAULT_REMOVAL_POLICIES: readonly RemovalPolicyName[] = ['OldestScalingConfiguration', 'OldestInstance']

/** The fields of seed 000's "create scaling group" form. */
export interface CreateGroupInput {
  readonly name: string
  readonly minSize: number
  readonly maxSize: number
  /** The form's "initial instance count": the group keeps this many until told otherwise. */
  readonly desiredCapacity?: number | null
  readonly defaultCooldownSeconds?: number
  readonly zones: readonly Zone[]
  readonly removalPolicies?: readonly RemovalPolicyName[]
  /** Null only for an Inactive group: ESS makes the group before its scaling configuration. */
  readonly launchConfigurationId: LaunchConfigurationId | null
  /** Seed 000's "load balancer" field: balancers whose pool the instances join. */
  readonly loadBalancers?: readonly LoadBalancerAttachment[]
  readonly databaseIds?: readonly DatabaseId[]
  readonly healthCheckType?: HealthCheckType
  readonly healthCheckGracePeriodSeconds?: number
  /** Cloud dialects create groups Inactive until enabled, as ESS does. */
  readonly state?: 'Active' | 'Inactive'
}

export type ModifyGroupInput = Partial<Omit<CreateGroupInput, 'state'>>

export interface GroupView extends ScalingGroup {
  readonly instanceCount: number
  readonly inServiceCount: number
  readonly queueLength: number
  readonly inCooldown: boolean
}

export function groupService(context: ServiceContext) {
  const { store, clock } = context

  async function view(tx: Collections, group: ScalingGroup): Promise<GroupView> {
    const members = (await tx.instances.list({ groupId: group.id })).filter(isLive)
    const queued = await tx.activities.list({ groupId: group.id, statuses: ['Queued'] })
    return {
      ...group,
      instanceCount: members.length,
      inServiceCount: members.filter((member) => member.state === 'InService').length,
      queueLength: queued.length,
      inCooldown: group.cooldownUntilMs !== null && clock.nowMs() < group.cooldownUntilMs,
    }
  }

  async function load(tx: Collections, id: ScalingGroupId): Promise<ScalingGroup> {
    return (await tx.groups.get(id)) ?? notFound('ScalingGroupNotFound', 'scaling group', id)
  }

  return {
    view,
    load,

    list: () => store.transaction(async (tx) => Promise.all((await tx.groups.list()).map((group) => view(tx, group)))),

    get: (id: ScalingGroupId) => store.transaction(async (tx) => view(tx, await load(tx, id))),

    create: (input: CreateGroupInput) =>
      store.transaction(async (tx) => {
        const group: ScalingGroup = {
          id: context.ids.next('scalingGroup') as ScalingGroupId,
          name: input.name,
          state: input.state ?? 'Active',
          minSize: input.minSize,
          maxSize: input.maxSize,
          desiredCapacity: input.desiredCapacity ?? null,
          defaultCooldownSeconds: input.defaultCooldownSeconds ?? DEFAULT_COOLDOWN_SECONDS,
          zones: input.zones.map((zone) => ({ zoneId: zone.zoneId, subnet: zone.subnet })),
          removalPolicies: [...(input.removalPolicies ?? DEFAULT_REMOVAL_POLICIES)],
          launchConfigurationId: input.launchConfigurationId,
          loadBalancers: (input.loadBalancers ?? []).map((attachment) => ({ ...attachment })),
          databaseIds: [...(input.databaseIds ?? [])],
          healthCheckType: input.healthCheckType ?? 'Provider',
          healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds ?? DEFAULT_GRACE_PERIOD_SECONDS,
          cooldownUntilMs: null,
          retryAfterMs: null,
          consecutiveFailures: 0,
          createdAtMs: clock.nowMs(),
        }
        await validateGroup(tx, group)
        await tx.groups.insert(group)
        context.wakeEngine()
        return view(tx, group)
      }),

    /** Bounds and desired change at once; fixed-number mode then converges without cooldown. */
    /**
     * `changes` may be a function of the current group (attach and detach read the lists they
     * change), evaluated inside the same transaction so concurrent attachments are not lost.
     */
    modify: (id: ScalingGroupId, changes: ModifyGroupInput | ((current: ScalingGroup) => ModifyGroupInput)) =>
      store.transaction(async (tx) => {
        const current = await load(tx, id)
        if (current.state === 'Deleting')
          throw new BillowError('ScalingGroupNotActive', `scaling group ${id} is being deleted`)
        const asked = typeof changes === 'function' ? changes(current) : changes
        const defined = Object.fromEntries(Object.entries(asked).filter(([, value]) => value !== undefined))
        const group: ScalingGroup = { ...current, ...defined, retryAfterMs: null, consecutiveFailures: 0 }
        await validateGroup(tx, group)
        await tx.groups.update(group)
        context.wakeEngine()
        return view(tx, group)
      }),

    setState: (id: ScalingGroupId, state: 'Active' | 'Inactive') =>
      store.transaction(async (tx) => {
        const current = await load(tx, id)
        if (current.state === 'Deleting')
          throw new BillowError('ScalingGroupNotActive', `scaling group ${id} is being deleted`)
        const group: ScalingGroup = { ...current, state, retryAfterMs: null, consecutiveFailures: 0 }
        requireLaunchConfigurationWhenActive(group)
        await tx.groups.update(group)
        context.wakeEngine()
        return view(tx, group)
      }),

    /**
     * Without force, only an empty group can go. With force, queued requests are rejected, the
     * group drains (protected instances too; Attached ones are detached) and then disappears.
     */
    remove: (id: ScalingGroupId, options: { force: boolean }) =>
      store.transaction(async (tx): Promise<GroupView | null> => {
        const group = await load(tx, id)
        const members = (await tx.instances.list({ groupId: id })).filter(isLive)
        if (members.length > 0 && !options.force) {
          throw new BillowError(
            'ScalingGroupNotEmpty',
            `scaling group ${id} still has ${members.length} instance(s); remove them or delete with force`,
            { field: 'force' },
          )
        }
        const nowMs = clock.nowMs()
        for (const queued of await tx.activities.list({ groupId: id, statuses: ['Queued'] })) {
          await tx.activities.update({
            ...queued,
            status: 'Rejected',
            statusMessage: 'the group was deleted',
            startedAtMs: nowMs,
            endedAtMs: nowMs,
            progressPercent: 100,
          })
        }
        const inProgress = await tx.activities.list({ groupId: id, statuses: ['InProgress'] })
        if (members.length === 0 && inProgress.length === 0) {
          for (const rule of await tx.rules.list({ groupId: id })) await tx.rules.delete(rule.id)
          for (const task of await tx.scheduledTasks.list({ groupId: id })) {
            await tx.scheduledTaskRuns.deleteForTask(task.id)
            await tx.scheduledTasks.delete(task.id)
          }
          await tx.groups.delete(id)
          return null
        }
        const deleting: ScalingGroup = { ...group, state: 'Deleting', minSize: 0, desiredCapacity: 0 }
        await tx.groups.update(deleting)
        context.wakeEngine()
        return view(tx, deleting)
      }),

    /** Protection guards against scale-in; instances must be live members of the group. */
    setProtection: (id: ScalingGroupId, instanceIds: readonly InstanceId[], isProtected: boolean) =>
      store.transaction(async (tx) => {
        await load(tx, id)
        const updated = []
        for (const [index, instanceId] of instanceIds.entries()) {
          const instance = await tx.instances.get(instanceId)
          if (!instance || instance.groupId !== id || !isLive(instance)) {
            throw new BillowError('InstanceNotFound', `instance ${instanceId} is not a live member of ${id}`, {
              field: `instanceIds.${index}`,
            })
          }
          const next = { ...instance, protected: isProtected }
          await tx.instances.update(next)
          updated.push(next)
        }
        return updated
      }),
  }
}

async function validateGroup(tx: Collections, group: ScalingGroup): Promise<void> {
  requireName('name', group.name)
  const sameName = await tx.groups.findByName(group.name)
  if (sameName && sameName.id !== group.id) {
    throw new BillowError('NameConflict', `name: a scaling group named "${group.name}" exists (${sameName.id})`, {
      field: 'name',
    })
  }
  requireIntegerIn('minSize', group.minSize, 0, GROUP_SIZE_MAX)
  requireIntegerIn('maxSize', group.maxSize, 0, GROUP_SIZE_MAX)
  if (group.minSize > group.maxSize) {
    throw new BillowError('IncorrectCapacity.MinSize', `minSize ${group.minSize} is above maxSize ${group.maxSize}`, {
      field: 'minSize',
    })
  }
  if (group.desiredCapacity !== null) {
    requireIntegerIn('desiredCapacity', group.desiredCapacity, 0, GROUP_SIZE_MAX)
    if (group.desiredCapacity < group.minSize || group.desiredCapacity > group.maxSize) {
      throw new BillowError(
        'IncorrectCapacity.DesiredCapacity',
        `desiredCapacity ${group.desiredCapacity} is outside [minSize ${group.minSize}, maxSize ${group.maxSize}]`,
        { field: 'desiredCapacity' },
      )
    }
  }
  requireIntegerIn('defaultCooldownSeconds', group.defaultCooldownSeconds, 0, COOLDOWN_SECONDS_MAX)
  validateZones(group.zones)
  if (group.removalPolicies.length < 1 || group.removalPolicies.length > 2)
    invalid('removalPolicies', 'takes one or two policies')
  for (const [index, policy] of group.removalPolicies.entries()) {
    if (!REMOVAL_POLICIES.includes(policy))
      invalid(`removalPolicies.${index}`, `unknown; one of ${REMOVAL_POLICIES.join(', ')}`)
  }
  if (new Set(group.removalPolicies).size !== group.removalPolicies.length)
    invalid('removalPolicies', 'lists a policy twice')
  await validateAttachments(tx, group)
  requireLaunchConfigurationWhenActive(group)
  if (group.launchConfigurationId !== null && !(await tx.launchConfigurations.get(group.launchConfigurationId))) {
    notFound(
      'LaunchConfigurationNotFound',
      'launch configuration',
      group.launchConfigurationId,
      'launchConfigurationId',
    )
  }
}

function requireLaunchConfigurationWhenActive(group: ScalingGroup): void {
  if (group.state === 'Active' && group.launchConfigurationId === null) {
    throw new BillowError(
      'LaunchConfigurationMissing',
      `scaling group ${group.id} has no launch configuration; give it one before enabling it`,
      { field: 'launchConfigurationId' },
    )
  }
}

function validateZones(zones: readonly Zone[]): void {
  if (zones.length < 1 || zones.length > ZONES_MAX) invalid('zones', `takes 1 to ${ZONES_MAX} zones`)
  const parsed = zones.map((zone, index) => {
    if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(zone.zoneId))
      invalid(`zones.${index}.zoneId`, 'must be lowercase letters, digits and dashes')
    const subnet = parseSubnet(zone.subnet)
    if (typeof subnet === 'string') invalid(`zones.${index}.subnet`, subnet)
    return subnet
  })
  if (new Set(zones.map((zone) => zone.zoneId)).size !== zones.length) invalid('zones', 'names a zone twice')
  for (const [a, first] of parsed.entries()) {
    for (const [b, second] of parsed.entries()) {
      if (b > a && subnetsOverlap(first, second)) invalid(`zones.${b}.subnet`, `overlaps zone ${zones[a]?.zoneId}`)
    }
  }
}

async function validateAttachments(tx: Collections, group: ScalingGroup): Promise<void> {
  if (!HEALTH_CHECK_TYPES.includes(group.healthCheckType)) {
    invalid('healthCheckType', `unknown; one of ${HEALTH_CHECK_TYPES.join(', ')}`)
  }
  requireIntegerIn('healthCheckGracePeriodSeconds', group.healthCheckGracePeriodSeconds, 0, GRACE_PERIOD_SECONDS_MAX)
  if (group.loadBalancers.length > ATTACHMENTS_MAX) invalid('loadBalancers', `takes at most ${ATTACHMENTS_MAX}`)
  if (group.databaseIds.length > ATTACHMENTS_MAX) invalid('databaseIds', `takes at most ${ATTACHMENTS_MAX}`)
  for (const [index, attachment] of group.loadBalancers.entries()) {
    const field = `loadBalancers.${index}`
    if (!(await tx.loadBalancers.get(attachment.loadBalancerId))) {
      notFound('LoadBalancerNotFound', 'load balancer', attachment.loadBalancerId, `${field}.loadBalancerId`)
    }
    if (attachment.port !== null) requireIntegerIn(`${field}.port`, attachment.port, 1, 65_535)
    requireIntegerIn(`${field}.weight`, attachment.weight, 1, 100)
  }
  const balancerIds = group.loadBalancers.map((attachment) => attachment.loadBalancerId)
  if (new Set(balancerIds).size !== balancerIds.length) invalid('loadBalancers', 'names a load balancer twice')
  for (const [index, databaseId] of group.databaseIds.entries()) {
    if (!(await tx.databases.get(databaseId)))
      notFound('DatabaseNotFound', 'database', databaseId, `databaseIds.${index}`)
  }
  if (new Set(group.databaseIds).size !== group.databaseIds.length) invalid('databaseIds', 'names a database twice')
  if (group.healthCheckType === 'LoadBalancer' && group.loadBalancers.length === 0) {
    invalid('healthCheckType', 'LoadBalancer needs at least one attached load balancer')
  }
}
