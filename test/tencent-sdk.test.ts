/**
 * The Tencent AS dialect through tencentcloud-sdk-nodejs, unmodified, pointed at a real Billow
 * server on loopback (TC3 signatures, JSON bodies, errors as HTTP 200 with Response.Error).
 * Instances are real demo-app processes on 127.67.x.x; the lab force-deletes every group and
 * waits for them.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { setImmediate as nextTurn } from 'node:timers/promises'
import tencentcloud from 'tencentcloud-sdk-nodejs'
import { type AccessKeyPair, type CloudLab, startCloudLab, waitFor } from './support/cloud-lab.ts'

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field, as scripts read them
type Answer = any
type AsClient = InstanceType<typeof tencentcloud.as.v20180419.Client>

let lab: CloudLab

before(async () => {
  lab = await startCloudLab({
    prefix: 'billow-tencent-',
    subnets: {
      'subnet-tc-a': { zoneId: 'tc-a', cidr: '127.67.1.0/24' },
      'subnet-tc-b': { zoneId: 'tc-b', cidr: '127.67.2.0/24' },
    },
  })
})
after(() => lab.close())

function client(key: AccessKeyPair = lab.keys.full, path = ''): AsClient {
  return new tencentcloud.as.v20180419.Client({
    credential: { secretId: key.id, secretKey: key.secret },
    region: 'ap-guangzhou',
    profile: {
      httpProfile: { protocol: 'http://', endpoint: `${lab.server.url.replace('http://', '')}${path}`, reqTimeout: 30 },
    },
  })
}

/** TencentCloudSDKHttpException.code of a failed call. */
async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call
  } catch (error) {
    assert.equal((error as Error).constructor.name, 'TencentCloudSDKHttpException')
    return (error as { code: string }).code
  }
  assert.fail('the call succeeded')
}

/**
 * Runs SDK calls with the SDK's clock at `atMs`: it reads `new Date().getTime()` while building
 * the request, before any I/O, so the clock is put back before the server sees the request.
 */
async function signedAt<T>(atMs: number, calls: () => Promise<T>[]): Promise<PromiseSettledResult<T>[]> {
  const realGetTime = Date.prototype.getTime
  Date.prototype.getTime = () => atMs
  let pending: Promise<T>[]
  try {
    pending = calls()
    await nextTurn()
  } finally {
    Date.prototype.getTime = realGetTime
  }
  return Promise.allSettled(pending)
}

async function activityDone(as: AsClient, activityId: string): Promise<Answer> {
  return waitFor(async () => {
    const answer: Answer = await as.DescribeAutoScalingActivities({ ActivityIds: [activityId] })
    const activity = answer.ActivitySet[0]
    assert.ok(!['FAILED', 'CANCELLED'].includes(activity?.StatusCode), JSON.stringify(activity))
    return activity?.StatusCode === 'SUCCESSFUL' ? activity : undefined
  }, `activity ${activityId} to succeed`)
}

async function inService(as: AsClient, groupId: string, count: number): Promise<Answer[]> {
  return waitFor(async () => {
    const answer: Answer = await as.DescribeAutoScalingInstances({
      Filters: [{ Name: 'auto-scaling-group-id', Values: [groupId] }],
      Limit: 100,
    })
    const instances: Answer[] = answer.AutoScalingInstanceSet
    const live = instances.filter((instance) => instance.LifeCycleState === 'IN_SERVICE')
    return instances.length === count && live.length === count ? instances : undefined
  }, `${count} instance(s) in service in ${groupId}`)
}

describe('Tencent AS through tencentcloud-sdk-nodejs (TC3-HMAC-SHA256)', () => {
  test('launch configuration, group, policy with HonorCooldown, protection and scale-in around it', async () => {
    const as = client()
    const { LaunchConfigurationId: lcId } = await as.CreateLaunchConfiguration({
      LaunchConfigurationName: 'web',
      ImageId: 'img-8toqc1a',
      InstanceType: 'S5.MEDIUM4',
      SecurityGroupIds: ['sg-12345678'],
      UserData: Buffer.from('echo hi').toString('base64'),
      InstanceTags: [{ Key: 'team', Value: 'web' }],
      SystemDisk: { DiskType: 'CLOUD_PREMIUM', DiskSize: 50 },
    })
    const lcs: Answer = await as.DescribeLaunchConfigurations({ LaunchConfigurationIds: [lcId as string] })
    assert.deepEqual([lcs.TotalCount, lcs.LaunchConfigurationSet[0].InstanceType], [1, 'S5.MEDIUM4'])

    const { AutoScalingGroupId: groupId } = await as.CreateAutoScalingGroup({
      AutoScalingGroupName: 'web',
      LaunchConfigurationId: lcId as string,
      MinSize: 1,
      MaxSize: 3,
      VpcId: 'vpc-2dfg8kqw',
      SubnetIds: ['subnet-tc-a', 'subnet-tc-b'],
      DefaultCooldown: 600,
      TerminationPolicies: ['NEWEST_INSTANCE'],
    })
    const group: Answer = (await as.DescribeAutoScalingGroups({ AutoScalingGroupIds: [groupId as string] }))
      .AutoScalingGroupSet?.[0]
    assert.deepEqual(
      [group.EnabledStatus, group.DesiredCapacity, group.SubnetIdSet, group.TerminationPolicySet],
      ['ENABLED', 1, ['subnet-tc-a', 'subnet-tc-b'], ['NEWEST_INSTANCE']],
    )
    const [first] = await inService(as, groupId as string, 1)
    assert.match(first.PrivateIpAddress, /^127\.67\.[12]\./)

    const { AutoScalingPolicyId: policyId } = await as.CreateScalingPolicy({
      AutoScalingGroupId: groupId as string,
      ScalingPolicyName: 'add-two',
      AdjustmentType: 'CHANGE_IN_CAPACITY',
      AdjustmentValue: 2,
      Cooldown: 600,
      MetricAlarm: {
        ComparisonOperator: 'GREATER_THAN',
        MetricName: 'CPU_UTILIZATION',
        Threshold: 80,
        Period: 300,
        ContinuousTime: 2,
      },
    })
    const out = await as.ExecuteScalingPolicy({ AutoScalingPolicyId: policyId as string })
    const activity = await activityDone(as, out.ActivityId as string)
    assert.equal(activity.ActivityType, 'SCALE_OUT')
    const three = await inService(as, groupId as string, 3)
    // The policy's execution started the group's cooldown: honouring it is refused, ignoring it is not.
    const honoured = await as.ExecuteScalingPolicy({ AutoScalingPolicyId: policyId as string, HonorCooldown: true })
    const refused: Answer = await waitFor(async () => {
      const answer: Answer = await as.DescribeAutoScalingActivities({ ActivityIds: [honoured.ActivityId as string] })
      return answer.ActivitySet[0]?.StatusCode === 'CANCELLED' ? answer.ActivitySet[0] : undefined
    }, 'the cooldown to refuse the execution')
    assert.match(refused.StatusMessage, /cooldown/)

    const keep = three[2].InstanceId
    await as.SetInstancesProtection({
      AutoScalingGroupId: groupId as string,
      InstanceIds: [keep],
      ProtectedFromScaleIn: true,
    })
    const scaleIn = await as.ScaleInInstances({ AutoScalingGroupId: groupId as string, ScaleInNumber: 2 })
    await activityDone(as, scaleIn.ActivityId as string)
    const [left] = await inService(as, groupId as string, 1)
    assert.deepEqual([left.InstanceId, left.ProtectedFromScaleIn], [keep, true])
    assert.equal(
      await codeOf(as.ScaleInInstances({ AutoScalingGroupId: groupId as string, ScaleInNumber: 1 })),
      'ResourceInsufficient.AutoScalingGroupBelowMinSize',
    )
    assert.equal(
      await codeOf(as.ScaleOutInstances({ AutoScalingGroupId: groupId as string, ScaleOutNumber: 5 })),
      'ResourceInsufficient.AutoScalingGroupAboveMaxSize',
    )
    await as.ModifyDesiredCapacity({ AutoScalingGroupId: groupId as string, DesiredCapacity: 2 })
    await inService(as, groupId as string, 2)

    const page: Answer = await as.DescribeAutoScalingActivities({
      Filters: [{ Name: 'auto-scaling-group-id', Values: [groupId as string] }],
      Offset: 1,
      Limit: 2,
    })
    assert.equal(page.ActivitySet.length, 2)
    assert.ok(page.TotalCount >= 4)
    const policies: Answer = await as.DescribeScalingPolicies({ AutoScalingPolicyIds: [policyId as string] })
    assert.deepEqual(
      [policies.ScalingPolicySet[0].AdjustmentType, policies.ScalingPolicySet[0].AdjustmentValue],
      ['CHANGE_IN_CAPACITY', 2],
    )
    assert.equal(
      await codeOf(as.DeleteAutoScalingGroup({ AutoScalingGroupId: groupId as string })),
      'ResourceInUse.InstanceInGroup',
    )
    assert.equal(
      await codeOf(as.DeleteLaunchConfiguration({ LaunchConfigurationId: lcId as string })),
      'ResourceInUse.LaunchConfigurationIdInUse',
    )
    await lab.cleanUp()
    await as.DeleteLaunchConfiguration({ LaunchConfigurationId: lcId as string })
  })

  test('paging, filters, the /tencent prefix, Enable/Disable and read-only keys', async () => {
    const as = client(lab.keys.full, '/tencent')
    const { LaunchConfigurationId: lcId } = await as.CreateLaunchConfiguration({
      LaunchConfigurationName: 'paging',
      ImageId: 'demo-app',
    })
    const ids: string[] = []
    for (let index = 0; index < 5; index += 1) {
      const created = await as.CreateAutoScalingGroup({
        AutoScalingGroupName: `page-${index}`,
        LaunchConfigurationId: lcId as string,
        MinSize: 0,
        MaxSize: 1,
        VpcId: 'vpc-1',
      })
      ids.push(created.AutoScalingGroupId as string)
    }
    const second: Answer = await as.DescribeAutoScalingGroups({ Offset: 2, Limit: 2 })
    assert.deepEqual(
      [second.TotalCount, second.AutoScalingGroupSet.map((group: Answer) => group.AutoScalingGroupId)],
      [5, ids.slice(2, 4)],
    )
    const named: Answer = await as.DescribeAutoScalingGroups({
      Filters: [{ Name: 'auto-scaling-group-name', Values: ['page-3'] }],
    })
    assert.deepEqual(
      named.AutoScalingGroupSet.map((group: Answer) => group.AutoScalingGroupId),
      [ids[3]],
    )
    await as.DisableAutoScalingGroup({ AutoScalingGroupId: ids[0] as string })
    const disabled: Answer = await client().DescribeAutoScalingGroups({ AutoScalingGroupIds: [ids[0] as string] })
    assert.equal(disabled.AutoScalingGroupSet[0].EnabledStatus, 'DISABLED')
    await as.EnableAutoScalingGroup({ AutoScalingGroupId: ids[0] as string })

    const reader = client(lab.keys.readOnly)
    assert.equal(((await reader.DescribeAutoScalingGroups({})) as Answer).TotalCount, 5)
    assert.equal(
      await codeOf(reader.DeleteAutoScalingGroup({ AutoScalingGroupId: ids[0] as string })),
      'AuthFailure.UnauthorizedOperation',
    )
    for (const id of ids) await as.DeleteAutoScalingGroup({ AutoScalingGroupId: id })
    await as.DeleteLaunchConfiguration({ LaunchConfigurationId: lcId as string })
  })

  test('a policy with MetricAlarm keeps an alarm: create, describe, modify, delete, refusals', async () => {
    const as = client()
    const { LaunchConfigurationId: lcId } = await as.CreateLaunchConfiguration({
      LaunchConfigurationName: 'alarmed',
      ImageId: 'demo-app',
    })
    const { AutoScalingGroupId: groupId } = await as.CreateAutoScalingGroup({
      AutoScalingGroupName: 'alarmed',
      LaunchConfigurationId: lcId as string,
      MinSize: 0,
      MaxSize: 4,
      VpcId: 'vpc-1',
    })
    const { AutoScalingPolicyId: policyId } = await as.CreateScalingPolicy({
      AutoScalingGroupId: groupId as string,
      ScalingPolicyName: 'cpu-out',
      AdjustmentType: 'CHANGE_IN_CAPACITY',
      AdjustmentValue: 1,
      MetricAlarm: {
        ComparisonOperator: 'GREATER_THAN',
        MetricName: 'CPU_UTILIZATION',
        Threshold: 80,
        Period: 60,
        ContinuousTime: 3,
        Statistic: 'MAXIMUM',
      },
    })
    const { AutoScalingPolicyId: plainId } = await as.CreateScalingPolicy({
      AutoScalingGroupId: groupId as string,
      ScalingPolicyName: 'plain',
      AdjustmentValue: -1,
    })
    const policies: Answer = await as.DescribeScalingPolicies({
      Filters: [{ Name: 'auto-scaling-group-id', Values: [groupId as string] }],
    })
    const byId = (id: string) => policies.ScalingPolicySet.find((policy: Answer) => policy.AutoScalingPolicyId === id)
    assert.deepEqual(
      [
        byId(policyId as string).MetricAlarm.ComparisonOperator,
        byId(policyId as string).MetricAlarm.MetricName,
        byId(policyId as string).MetricAlarm.Threshold,
        byId(policyId as string).MetricAlarm.Period,
        byId(policyId as string).MetricAlarm.ContinuousTime,
        byId(policyId as string).MetricAlarm.Statistic,
      ],
      ['GREATER_THAN', 'CPU_UTILIZATION', 80, 60, 3, 'MAXIMUM'],
    )
    assert.equal(byId(plainId as string).MetricAlarm, undefined)

    await as.ModifyScalingPolicy({
      AutoScalingPolicyId: policyId as string,
      MetricAlarm: {
        ComparisonOperator: 'LESS_THAN',
        MetricName: 'MEM_UTILIZATION',
        Threshold: 20,
        Period: 300,
        ContinuousTime: 2,
      },
    })
    // A policy without an alarm gets one when modified with MetricAlarm.
    await as.ModifyScalingPolicy({
      AutoScalingPolicyId: plainId as string,
      MetricAlarm: {
        ComparisonOperator: 'LESS_THAN_OR_EQUAL_TO',
        MetricName: 'CPU_UTILIZATION',
        Threshold: 10,
        Period: 60,
        ContinuousTime: 1,
      },
    })
    const modified: Answer = await as.DescribeScalingPolicies({
      AutoScalingPolicyIds: [policyId as string, plainId as string],
    })
    const [memory, cpu] = [policyId, plainId].map(
      (id) => modified.ScalingPolicySet.find((policy: Answer) => policy.AutoScalingPolicyId === id).MetricAlarm,
    )
    assert.deepEqual(
      [
        memory.ComparisonOperator,
        memory.MetricName,
        memory.Threshold,
        memory.Period,
        memory.ContinuousTime,
        memory.Statistic,
      ],
      ['LESS_THAN', 'MEM_UTILIZATION', 20, 300, 2, 'AVERAGE'],
    )
    assert.deepEqual([cpu.ComparisonOperator, cpu.Threshold], ['LESS_THAN_OR_EQUAL_TO', 10])

    // Comparisons and metrics Billow cannot evaluate are refused, and no policy is left behind.
    assert.equal(
      await codeOf(
        as.CreateScalingPolicy({
          AutoScalingGroupId: groupId as string,
          ScalingPolicyName: 'traffic',
          AdjustmentValue: 1,
          MetricAlarm: {
            ComparisonOperator: 'GREATER_THAN',
            MetricName: 'WAN_TRAFFIC_OUT',
            Threshold: 1,
            Period: 60,
            ContinuousTime: 1,
          },
        }),
      ),
      'InvalidParameterValue',
    )
    assert.equal(
      await codeOf(
        as.CreateScalingPolicy({
          AutoScalingGroupId: groupId as string,
          ScalingPolicyName: 'equal',
          AdjustmentValue: 1,
          MetricAlarm: {
            ComparisonOperator: 'EQUAL_TO',
            MetricName: 'CPU_UTILIZATION',
            Threshold: 1,
            Period: 60,
            ContinuousTime: 1,
          },
        }),
      ),
      'InvalidParameterValue',
    )
    await as.DeleteScalingPolicy({ AutoScalingPolicyId: policyId as string })
    await as.DeleteScalingPolicy({ AutoScalingPolicyId: plainId as string })
    const left: Answer = await as.DescribeScalingPolicies({
      Filters: [{ Name: 'auto-scaling-group-id', Values: [groupId as string] }],
      Limit: 50,
    })
    assert.equal(left.TotalCount, 0)
    assert.equal(
      await codeOf(as.ExecuteScalingPolicy({ AutoScalingPolicyId: policyId as string })),
      'ResourceNotFound.ScalingPolicyNotFound',
    )
    await as.DeleteAutoScalingGroup({ AutoScalingGroupId: groupId as string })
    await as.DeleteLaunchConfiguration({ LaunchConfigurationId: lcId as string })
  })

  test('scheduled actions: create, modify, describe, delete', async () => {
    const as = client()
    const { LaunchConfigurationId: lcId } = await as.CreateLaunchConfiguration({
      LaunchConfigurationName: 'scheduled',
      ImageId: 'demo-app',
    })
    const { AutoScalingGroupId: groupId } = await as.CreateAutoScalingGroup({
      AutoScalingGroupName: 'scheduled',
      LaunchConfigurationId: lcId as string,
      MinSize: 0,
      MaxSize: 4,
      VpcId: 'vpc-1',
    })
    const start = `${new Date(Date.now() + 8 * 3_600_000 + 86_400_000).toISOString().slice(0, 17)}00+08:00`
    const { ScheduledActionId: actionId } = await as.CreateScheduledAction({
      AutoScalingGroupId: groupId as string,
      ScheduledActionName: 'workday',
      MinSize: 1,
      MaxSize: 3,
      DesiredCapacity: 2,
      StartTime: start,
      Recurrence: '0 9 * * 1-5',
    })
    await as.ModifyScheduledAction({ ScheduledActionId: actionId as string, DesiredCapacity: 3 })
    const described: Answer = await as.DescribeScheduledActions({
      Filters: [{ Name: 'auto-scaling-group-id', Values: [groupId as string] }],
    })
    const action = described.ScheduledActionSet[0]
    assert.deepEqual(
      [
        described.TotalCount,
        action.StartTime,
        action.Recurrence,
        action.ScheduledType,
        action.MinSize,
        action.DesiredCapacity,
      ],
      [1, start, '0 9 * * 1-5', 'CRONTAB', 1, 3],
    )
    assert.equal(
      await codeOf(
        as.CreateScheduledAction({
          AutoScalingGroupId: groupId as string,
          ScheduledActionName: 'workday',
          MinSize: 1,
          MaxSize: 3,
          DesiredCapacity: 2,
          StartTime: start,
        }),
      ),
      'InvalidParameterValue.ScheduledActionNameDuplicate',
    )
    await as.DeleteScheduledAction({ ScheduledActionId: actionId as string })
    assert.equal(
      await codeOf(as.AttachLoadBalancers({ AutoScalingGroupId: groupId as string, LoadBalancerIds: ['lb-nothere'] })),
      'ResourceNotFound.LoadBalancerNotFound',
    )
    // (Deleting it again within the same second would be the same signed bytes: a replay.)
    assert.equal(
      await codeOf(as.ModifyScheduledAction({ ScheduledActionId: actionId as string, MinSize: 0 })),
      'ResourceNotFound.ScheduledActionNotFound',
    )
    await as.DeleteAutoScalingGroup({ AutoScalingGroupId: groupId as string })
    await as.DeleteLaunchConfiguration({ LaunchConfigurationId: lcId as string })
  })

  test('errors are HTTP 200 with the codes Tencent uses', async () => {
    const as = client()
    assert.equal(
      await codeOf(client({ id: lab.keys.full.id, secret: 'wrong' }).DescribeAutoScalingGroups({})),
      'AuthFailure.SignatureFailure',
    )
    assert.equal(
      await codeOf(client({ id: 'ak-nosuchkey000000', secret: 'x' }).DescribeAutoScalingGroups({})),
      'AuthFailure.SecretIdNotFound',
    )
    assert.equal(await codeOf(client(lab.keys.disabled).DescribeAutoScalingGroups({})), 'AuthFailure.SecretIdNotFound')
    const [expired] = await signedAt(Date.now() - 20 * 60_000, () => [as.DescribeAutoScalingGroups({})])
    assert.equal(await codeOf(Promise.reject((expired as PromiseRejectedResult).reason)), 'AuthFailure.SignatureExpire')
    // A write signed twice in one second is the same bytes: once it has changed something, the
    // other is a replay. A refused write does not use its signature up: it may be retried at once.
    const { LaunchConfigurationId: lcId } = await as.CreateLaunchConfiguration({
      LaunchConfigurationName: 'errors',
      ImageId: 'demo-app',
    })
    const twice = await signedAt(Date.now(), () => [
      as.DeleteLaunchConfiguration({ LaunchConfigurationId: lcId as string }),
      as.DeleteLaunchConfiguration({ LaunchConfigurationId: lcId as string }),
    ])
    assert.deepEqual(
      twice.map((outcome) => (outcome.status === 'fulfilled' ? 'deleted' : outcome.reason.code)).sort(),
      ['AuthFailure.SignatureFailure', 'deleted'],
    )
    const retried = await signedAt(Date.now(), () => [
      as.DeleteScalingPolicy({ AutoScalingPolicyId: 'asr-nothere' }),
      as.DeleteScalingPolicy({ AutoScalingPolicyId: 'asr-nothere' }),
    ])
    assert.deepEqual(
      retried.map((outcome) => (outcome as PromiseRejectedResult).reason.code),
      ['ResourceNotFound.ScalingPolicyNotFound', 'ResourceNotFound.ScalingPolicyNotFound'],
    )
    const reads = await signedAt(Date.now(), () => [as.DescribeAutoScalingGroups({}), as.DescribeAutoScalingGroups({})])
    assert.deepEqual(
      reads.map((outcome) => outcome.status),
      ['fulfilled', 'fulfilled'],
      'identical reads may repeat',
    )

    assert.equal(await codeOf(as.request('DescribeAutoScalingGroupz', {})), 'InvalidAction')
    assert.equal(
      await codeOf(
        as.CreateAutoScalingGroup({ AutoScalingGroupName: 'x', MinSize: 1, MaxSize: 2, VpcId: 'vpc-1' } as never),
      ),
      'MissingParameter',
    )
    assert.equal(await codeOf(as.DescribeAutoScalingGroups({ Colour: 'blue' } as never)), 'UnknownParameter')
    const { LaunchConfigurationId: otherLcId } = await as.CreateLaunchConfiguration({
      LaunchConfigurationName: 'errors-2',
      ImageId: 'demo-app',
    })
    assert.equal(
      await codeOf(
        as.CreateAutoScalingGroup({
          AutoScalingGroupName: 'x',
          LaunchConfigurationId: otherLcId as string,
          MinSize: 3,
          MaxSize: 1,
          VpcId: 'vpc-1',
        }),
      ),
      'InvalidParameterValue.Size',
    )
    assert.equal(await codeOf(as.DescribeAutoScalingGroups({ Limit: 'ten' } as never)), 'InvalidParameterValue')
    assert.equal(
      await codeOf(as.EnableAutoScalingGroup({ AutoScalingGroupId: 'asg-nothere' })),
      'ResourceNotFound.AutoScalingGroupNotFound',
    )
    assert.equal(
      await codeOf(as.ExecuteScalingPolicy({ AutoScalingPolicyId: 'asr-nothere' })),
      'ResourceNotFound.ScalingPolicyNotFound',
    )
    assert.equal(
      await codeOf(as.DeleteLaunchConfiguration({ LaunchConfigurationId: 'asc-nothere' })),
      'ResourceNotFound.LaunchConfigurationIdNotFound',
    )
    await as.DeleteLaunchConfiguration({ LaunchConfigurationId: otherLcId as string })
  })
})
