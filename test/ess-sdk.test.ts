/**
 * The ESS dialect through Alibaba Cloud's own SDKs, unmodified, pointed at a real Billow server
 * on loopback: pop-core (signature 1.0, form bodies) and @alicloud/openapi-client, the core of the
 * generated @alicloud/ess20140828 clients (signature V3, parameters in the query). Instances are
 * real demo-app processes on 127.66.x.x; the lab force-deletes every group and waits for them.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import OpenApi from '@alicloud/openapi-client'
import OpenApiUtil from '@alicloud/openapi-util'
import RPCClient from '@alicloud/pop-core'
import TeaUtil from '@alicloud/tea-util'
import { type AccessKeyPair, type CloudLab, startCloudLab, waitFor } from './support/cloud-lab.ts'

// biome-ignore lint/suspicious/noExplicitAny: ESS answers are read field by field, as scripts read them
type Answer = any

let lab: CloudLab

before(async () => {
  lab = await startCloudLab({
    prefix: 'billow-ess-',
    subnets: {
      'vsw-ess-a': { zoneId: 'ess-a', cidr: '127.66.1.0/24' },
      'vsw-ess-b': { zoneId: 'ess-b', cidr: '127.66.2.0/24' },
    },
  })
})
after(() => lab.close())

function popCore(key: AccessKeyPair = lab.keys.full, path = '') {
  return new RPCClient({
    accessKeyId: key.id,
    accessKeySecret: key.secret,
    endpoint: `${lab.server.url}${path}`,
    apiVersion: '2014-08-28',
  })
}

/** What a generated Ess20140828 client does for every operation. */
function darabonba(key: AccessKeyPair = lab.keys.full, path = '') {
  const client = new OpenApi.default(
    new OpenApi.Config({
      accessKeyId: key.id,
      accessKeySecret: key.secret,
      endpoint: `${lab.server.url.replace('http://', '')}${path}`,
      protocol: 'HTTP',
      regionId: 'cn-hangzhou',
    }),
  )
  return async (action: string, params: Record<string, unknown>): Promise<Answer> => {
    const response = await client.callApi(
      new OpenApi.Params({
        action,
        version: '2014-08-28',
        protocol: 'HTTP',
        pathname: '/',
        method: 'POST',
        authType: 'AK',
        style: 'RPC',
        reqBodyType: 'formData',
        bodyType: 'json',
      }),
      new OpenApi.OpenApiRequest({ query: OpenApiUtil.default.query(params) }),
      new TeaUtil.RuntimeOptions({}),
    )
    return response.body
  }
}

const post = (client: RPCClient, action: string, params: Record<string, unknown>): Promise<Answer> =>
  client.request(action, { RegionId: 'cn-hangzhou', ...params }, { method: 'POST' })

/** The code an SDK call fails with (pop-core and Darabonba both set err.code). */
async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call
  } catch (error) {
    return (error as { code: string }).code
  }
  assert.fail('the call succeeded')
}

async function activitySucceeded(client: RPCClient, groupId: string, activityId: string) {
  return waitFor(async () => {
    const answer = await post(client, 'DescribeScalingActivities', {
      ScalingGroupId: groupId,
      'ScalingActivityId.1': activityId,
    })
    const activity = answer.ScalingActivities.ScalingActivity[0]
    assert.notEqual(activity?.StatusCode, 'Failed', JSON.stringify(activity))
    assert.notEqual(activity?.StatusCode, 'Rejected', JSON.stringify(activity))
    return activity?.StatusCode === 'Successful' ? activity : undefined
  }, `activity ${activityId} to succeed`)
}

async function inService(client: RPCClient, groupId: string, count: number): Promise<Answer[]> {
  return waitFor(async () => {
    const answer = await post(client, 'DescribeScalingInstances', { ScalingGroupId: groupId, PageSize: 50 })
    const instances: Answer[] = answer.ScalingInstances.ScalingInstance
    const live = instances.filter((instance) => ['InService', 'Protected'].includes(instance.LifecycleState))
    return instances.length === count && live.length === count ? instances : undefined
  }, `${count} instance(s) in service in ${groupId}`)
}

describe('ESS through pop-core (signature 1.0)', () => {
  test('group, configuration, enable, rule by ARI with a client token, protection and scale-in around it', async () => {
    const ess = popCore()
    const { ScalingGroupId: groupId } = await post(ess, 'CreateScalingGroup', {
      ScalingGroupName: 'web',
      MinSize: 0,
      MaxSize: 3,
      DefaultCooldown: 0,
      'VSwitchIds.1': 'vsw-ess-a',
      'VSwitchIds.2': 'vsw-ess-b',
      'RemovalPolicy.1': 'NewestInstance',
      LoadBalancerIds: '[]',
    })
    assert.match(groupId, /^asg-/)
    const created = (await post(ess, 'DescribeScalingGroups', { 'ScalingGroupId.1': groupId })).ScalingGroups
      .ScalingGroup[0]
    assert.equal(created.LifecycleState, 'Inactive', 'ESS groups start Inactive')
    assert.deepEqual(created.VSwitchIds.VSwitchId, ['vsw-ess-a', 'vsw-ess-b'])
    assert.equal(
      await codeOf(post(ess, 'EnableScalingGroup', { ScalingGroupId: groupId })),
      'MissingActiveScalingConfiguration',
    )

    const userData = Buffer.from('#!/bin/sh\necho hello\n').toString('base64')
    const { ScalingConfigurationId: configurationId } = await post(ess, 'CreateScalingConfiguration', {
      ScalingGroupId: groupId,
      ImageId: 'centos_7_9_x64_20G_alibase_20230919.vhd',
      InstanceType: 'ecs.g6.large',
      SecurityGroupId: 'sg-bp1abc',
      UserData: userData,
      Tags: '{"team":"web"}',
    })
    const configuration = (await post(ess, 'DescribeScalingConfigurations', { ScalingGroupId: groupId }))
      .ScalingConfigurations.ScalingConfiguration[0]
    assert.deepEqual(
      [
        configuration.ScalingConfigurationId,
        configuration.InstanceType,
        configuration.LifecycleState,
        configuration.UserData,
      ],
      [configurationId, 'ecs.g6.large', 'Active', userData],
    )

    await post(ess, 'EnableScalingGroup', { ScalingGroupId: groupId, ActiveScalingConfigurationId: configurationId })
    await post(ess, 'ModifyScalingGroup', { ScalingGroupId: groupId, MinSize: 1 })
    const [first] = await inService(ess, groupId, 1)
    assert.equal(first.ScalingConfigurationId, configurationId)
    assert.match(first.PrivateIpAddress, /^127\.66\.[12]\./)

    const rule = await post(ess, 'CreateScalingRule', {
      ScalingGroupId: groupId,
      ScalingRuleName: 'to-three',
      AdjustmentType: 'TotalCapacity',
      AdjustmentValue: 3,
    })
    assert.match(rule.ScalingRuleAri, new RegExp(`^ari:acs:ess:[a-z0-9-]+:\\d+:scalingrule/${rule.ScalingRuleId}$`))
    const execution = await post(ess, 'ExecuteScalingRule', {
      ScalingRuleAri: rule.ScalingRuleAri,
      ClientToken: 'tok-1',
    })
    const retried = await post(ess, 'ExecuteScalingRule', { ScalingRuleAri: rule.ScalingRuleAri, ClientToken: 'tok-1' })
    assert.equal(
      retried.ScalingActivityId,
      execution.ScalingActivityId,
      'a repeated ClientToken returns the same activity',
    )
    const activity = await activitySucceeded(ess, groupId, execution.ScalingActivityId)
    assert.equal(activity.TotalCapacity, '3')
    const three = await inService(ess, groupId, 3)

    const keep = three[1].InstanceId
    await post(ess, 'SetInstancesProtection', {
      ScalingGroupId: groupId,
      'InstanceId.1': keep,
      ProtectedFromScaleIn: true,
    })
    const scaleIn = await post(ess, 'ScaleWithAdjustment', {
      ScalingGroupId: groupId,
      AdjustmentType: 'QuantityChangeInCapacity',
      AdjustmentValue: -2,
    })
    await activitySucceeded(ess, groupId, scaleIn.ScalingActivityId)
    const [left] = await inService(ess, groupId, 1)
    assert.deepEqual([left.InstanceId, left.LifecycleState], [keep, 'Protected'])
    const group = (await post(ess, 'DescribeScalingGroups', { 'ScalingGroupId.1': groupId })).ScalingGroups
      .ScalingGroup[0]
    assert.deepEqual([group.TotalCapacity, group.ProtectedCapacity, group.LifecycleState], [1, 1, 'Active'])

    const pageTwo = await post(ess, 'DescribeScalingActivities', {
      ScalingGroupId: groupId,
      PageNumber: 2,
      PageSize: 1,
    })
    assert.deepEqual(
      [pageTwo.PageNumber, pageTwo.PageSize, pageTwo.ScalingActivities.ScalingActivity.length],
      [2, 1, 1],
    )
    assert.ok(pageTwo.TotalCount >= 3)
    const rules = await post(ess, 'DescribeScalingRules', { ScalingGroupId: groupId })
    assert.equal(rules.ScalingRules.ScalingRule[0].ScalingRuleAri, rule.ScalingRuleAri)

    await post(ess, 'DeleteScalingGroup', { ScalingGroupId: groupId, ForceDelete: true })
    await lab.cleanUp()
  })

  test('paging, GET requests, the /ess prefix and read-only keys', async () => {
    const ess = popCore()
    const ids: string[] = []
    for (let index = 0; index < 5; index += 1) {
      ids.push(
        (await post(ess, 'CreateScalingGroup', { ScalingGroupName: `page-${index}`, MinSize: 0, MaxSize: 1 }))
          .ScalingGroupId,
      )
    }
    const second = await post(ess, 'DescribeScalingGroups', { PageNumber: 2, PageSize: 2 })
    assert.deepEqual([second.TotalCount, second.PageNumber, second.PageSize], [5, 2, 2])
    assert.deepEqual(
      second.ScalingGroups.ScalingGroup.map((group: Answer) => group.ScalingGroupId),
      ids.slice(2, 4),
    )
    const viaGet: Answer = await popCore(lab.keys.full, '/ess').request('DescribeScalingGroups', { PageSize: 50 })
    assert.equal(viaGet.ScalingGroups.ScalingGroup.length, 5)
    const regions = await post(popCore(lab.keys.readOnly), 'DescribeRegions', {})
    assert.equal(regions.Regions.Region.length, 1)
    assert.equal(
      await codeOf(post(popCore(lab.keys.readOnly), 'DeleteScalingGroup', { ScalingGroupId: ids[0] })),
      'Forbidden.Unauthorized',
    )
    for (const id of ids) await post(ess, 'DeleteScalingGroup', { ScalingGroupId: id })
    assert.equal((await post(ess, 'DescribeScalingGroups', {})).TotalCount, 0)
  })

  test('alarms: create, describe, disable/enable, modify, delete, refusals', async () => {
    const ess = popCore()
    const { ScalingGroupId: groupId } = await post(ess, 'CreateScalingGroup', {
      ScalingGroupName: 'alarmed',
      MinSize: 0,
      MaxSize: 4,
    })
    const rule = await post(ess, 'CreateScalingRule', {
      ScalingGroupId: groupId,
      AdjustmentType: 'QuantityChangeInCapacity',
      AdjustmentValue: 1,
    })
    const created = await post(ess, 'CreateAlarm', {
      ScalingGroupId: groupId,
      Name: 'cpu-high',
      MetricType: 'system',
      MetricName: 'CpuUtilization',
      Statistics: 'Maximum',
      ComparisonOperator: '>',
      Threshold: 80.5,
      Period: 60,
      EvaluationCount: 2,
      'AlarmAction.1': rule.ScalingRuleAri,
    })
    assert.match(created.AlarmTaskId, /^alarm-/)
    const describe = async (params: Record<string, unknown> = {}) =>
      (await post(ess, 'DescribeAlarms', { ScalingGroupId: groupId, ...params })).AlarmList.Alarm
    const [alarm] = await describe()
    assert.deepEqual(
      [
        alarm.AlarmTaskId,
        alarm.Name,
        alarm.MetricName,
        alarm.MetricType,
        alarm.Statistics,
        alarm.ComparisonOperator,
        alarm.Threshold,
        alarm.Period,
        alarm.EvaluationCount,
        alarm.Enable,
        alarm.AlarmActions.AlarmAction,
      ],
      [
        created.AlarmTaskId,
        'cpu-high',
        'CpuUtilization',
        'system',
        'Maximum',
        '>',
        80.5,
        60,
        2,
        true,
        [rule.ScalingRuleAri],
      ],
    )
    assert.ok(['OK', 'ALARM', 'INSUFFICIENT_DATA'].includes(alarm.State))
    await post(ess, 'DisableAlarm', { AlarmTaskId: created.AlarmTaskId })
    const [disabled] = await describe({ IsEnable: false })
    assert.deepEqual([disabled.Enable, disabled.State], [false, 'INSUFFICIENT_DATA'])
    assert.equal((await describe({ IsEnable: true })).length, 0)
    // The generated clients (signature V3) too.
    await darabonba()('EnableAlarm', { AlarmTaskId: created.AlarmTaskId })
    assert.equal((await describe())[0].Enable, true)
    await post(ess, 'ModifyAlarm', {
      AlarmTaskId: created.AlarmTaskId,
      MetricName: 'MemoryUtilization',
      Threshold: 70,
      ComparisonOperator: '>=',
      Period: 300,
    })
    const [modified] = await describe({ MetricName: 'MemoryUtilization' })
    assert.deepEqual(
      [modified.MetricName, modified.Threshold, modified.ComparisonOperator, modified.Period, modified.Statistics],
      ['MemoryUtilization', 70, '>=', 300, 'Maximum'],
    )
    const paged = await post(ess, 'DescribeAlarms', { ScalingGroupId: groupId, PageSize: 1, PageNumber: 2 })
    assert.deepEqual([paged.TotalCount, paged.AlarmList.Alarm.length], [1, 0])
    assert.equal(
      await codeOf(
        post(ess, 'CreateAlarm', {
          ScalingGroupId: groupId,
          MetricName: 'NoSuchMetric',
          Threshold: 1,
          'AlarmAction.1': rule.ScalingRuleAri,
        }),
      ),
      'InvalidParameter',
    )
    await post(ess, 'DeleteAlarm', { AlarmTaskId: created.AlarmTaskId })
    assert.equal(
      await codeOf(post(ess, 'DeleteAlarm', { AlarmTaskId: created.AlarmTaskId })),
      'InvalidAlarmTaskId.NotFound',
    )
    assert.equal((await describe()).length, 0)
    await post(ess, 'DeleteScalingGroup', { ScalingGroupId: groupId, ForceDelete: true })
  })

  test('scheduled tasks: by rule ARI or by sizes, modify, describe, delete', async () => {
    const ess = popCore()
    const { ScalingGroupId: groupId } = await post(ess, 'CreateScalingGroup', {
      ScalingGroupName: 'scheduled',
      MinSize: 0,
      MaxSize: 4,
    })
    const rule = await post(ess, 'CreateScalingRule', {
      ScalingGroupId: groupId,
      AdjustmentType: 'QuantityChangeInCapacity',
      AdjustmentValue: 1,
    })
    const launch = `${new Date(Date.now() + 86_400_000).toISOString().slice(0, 16)}Z`
    const byRule = await post(ess, 'CreateScheduledTask', {
      ScheduledTaskName: 'nightly',
      ScheduledAction: rule.ScalingRuleAri,
      LaunchTime: launch,
      RecurrenceType: 'Weekly',
      RecurrenceValue: '1,3',
      RecurrenceEndTime: `${new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 16)}Z`,
    })
    const bySizes = await post(ess, 'CreateScheduledTask', {
      ScheduledTaskName: 'morning',
      ScalingGroupId: groupId,
      MinValue: 1,
      MaxValue: 3,
      DesiredCapacity: 2,
      LaunchTime: launch,
      RecurrenceType: 'Daily',
      RecurrenceValue: '1',
    })
    await post(ess, 'ModifyScheduledTask', {
      ScheduledTaskId: bySizes.ScheduledTaskId,
      TaskEnabled: false,
      DesiredCapacity: 3,
    })
    const tasks = (await post(ess, 'DescribeScheduledTasks', { ScalingGroupId: groupId })).ScheduledTasks.ScheduledTask
    const [nightly, morning] = [byRule, bySizes].map((created) =>
      tasks.find((task: Answer) => task.ScheduledTaskId === created.ScheduledTaskId),
    )
    assert.deepEqual(
      [
        nightly.ScheduledAction,
        nightly.LaunchTime,
        nightly.RecurrenceType,
        nightly.RecurrenceValue,
        nightly.TaskEnabled,
      ],
      [rule.ScalingRuleAri, launch, 'Weekly', '1,3', true],
    )
    assert.deepEqual(
      [morning.MinValue, morning.MaxValue, morning.DesiredCapacity, morning.TaskEnabled, morning.RecurrenceValue],
      [1, 3, 3, false, '1'],
    )
    assert.equal(
      await codeOf(
        post(ess, 'CreateScheduledTask', {
          ScheduledTaskName: 'nightly',
          ScheduledAction: rule.ScalingRuleAri,
          LaunchTime: launch,
        }),
      ),
      'InvalidScheduledTaskName.Duplicate',
    )
    await post(ess, 'DeleteScheduledTask', { ScheduledTaskId: byRule.ScheduledTaskId })
    assert.equal(
      await codeOf(post(ess, 'DeleteScheduledTask', { ScheduledTaskId: byRule.ScheduledTaskId })),
      'InvalidScheduledTaskId.NotFound',
    )
    await post(ess, 'DeleteScheduledTask', { ScheduledTaskId: bySizes.ScheduledTaskId })
    assert.equal(
      await codeOf(post(ess, 'AttachLoadBalancers', { ScalingGroupId: groupId, 'LoadBalancer.1': 'lb-nothere' })),
      'InvalidLoadBalancerId.NotFound',
    )
    assert.equal(
      await codeOf(post(ess, 'AttachDBInstances', { ScalingGroupId: groupId, 'DBInstance.1': 'db-nothere' })),
      'InvalidDBInstanceId.NotFound',
    )
    await post(ess, 'DetachLoadBalancers', { ScalingGroupId: groupId, 'LoadBalancer.1': 'lb-nothere' })
    await post(ess, 'DeleteScalingGroup', { ScalingGroupId: groupId, ForceDelete: true })
    await lab.cleanUp()
  })

  test('errors carry the codes ESS uses', async () => {
    const ess = popCore()
    const wrongSecret = popCore({ id: lab.keys.full.id, secret: 'not-the-secret' })
    assert.equal(await codeOf(post(wrongSecret, 'DescribeScalingGroups', {})), 'SignatureDoesNotMatch')
    assert.equal(
      await codeOf(post(popCore({ id: 'ak-nosuchkey000000', secret: 'x' }), 'DescribeScalingGroups', {})),
      'InvalidAccessKeyId.NotFound',
    )
    assert.equal(
      await codeOf(post(popCore(lab.keys.disabled), 'DescribeScalingGroups', {})),
      'InvalidAccessKeyId.Inactive',
    )
    assert.equal(
      await codeOf(post(ess, 'DescribeScalingGroups', { Timestamp: '2020-01-01T00:00:00Z' })),
      'InvalidTimeStamp.Expired',
    )
    const nonce = { SignatureNonce: `replay-${Date.now()}` }
    await post(ess, 'DescribeScalingGroups', nonce)
    assert.equal(await codeOf(post(ess, 'DescribeScalingGroups', nonce)), 'SignatureNonceUsed')
    assert.equal(await codeOf(post(ess, 'DescribeScalingGroupz', {})), 'InvalidAction.NotFound')
    assert.equal(await codeOf(post(ess, 'CreateScalingGroup', { MinSize: 1 })), 'MissingParameter')
    assert.equal(
      await codeOf(post(ess, 'CreateScalingGroup', { MinSize: 1, MaxSize: 2, Colour: 'blue' })),
      'UnknownParameter',
    )
    assert.equal(await codeOf(post(ess, 'CreateScalingGroup', { MinSize: 3, MaxSize: 1 })), 'InvalidParameter.Conflict')
    assert.equal(await codeOf(post(ess, 'CreateScalingGroup', { MinSize: 'one', MaxSize: 2 })), 'InvalidParameter')
    assert.equal(
      await codeOf(post(ess, 'DescribeScalingRules', { ScalingGroupId: 'asg-nothere' })),
      'InvalidScalingGroupId.NotFound',
    )
    assert.equal(
      await codeOf(
        post(ess, 'ExecuteScalingRule', { ScalingRuleAri: 'ari:acs:ess:cn-hangzhou:1:scalingrule/asr-nothere' }),
      ),
      'InvalidScalingRuleAri.NotFound',
    )
    assert.equal(
      await codeOf(post(ess, 'CreateScalingConfiguration', { ScalingGroupId: 'asg-nothere', ImageId: 'x' })),
      'InvalidScalingGroupId.NotFound',
    )
    assert.equal(
      await codeOf(post(ess, 'DeleteScalingRule', { ScalingRuleId: 'asr-nothere' })),
      'InvalidScalingRuleId.NotFound',
    )
    assert.equal(await codeOf(ess.request('DescribeRegions', { Version: '2013-01-01' })), 'InvalidVersion')
    const wrongVersion: Answer = await ess.request('DescribeRegions', {}).catch((error: Answer) => error.data)
    assert.equal(wrongVersion.Code, undefined, 'a success carries no Code (pop-core would throw on one)')
    const failure: Answer = await post(ess, 'DescribeScalingGroupz', {}).catch((error: Answer) => error)
    assert.deepEqual(Object.keys(failure.data).sort(), ['Code', 'HostId', 'Message', 'RequestId'])
    assert.match(failure.data.RequestId, /^[0-9A-F-]{36}$/)
  })
})

describe('ESS through @alicloud/openapi-client (signature V3, what generated clients use)', () => {
  test('create, describe with paging, modify and delete; errors with status and code', async () => {
    const call = darabonba()
    const { ScalingGroupId: groupId } = await call('CreateScalingGroup', {
      RegionId: 'cn-hangzhou',
      ScalingGroupName: 'tea sg',
      MinSize: 0,
      MaxSize: 2,
      VSwitchId: 'vsw-ess-a',
      RemovalPolicy: ['OldestInstance', 'NewestInstance'],
    })
    const described = await call('DescribeScalingGroups', {
      RegionId: 'cn-hangzhou',
      ScalingGroupName: 'tea sg',
      PageSize: 5,
    })
    assert.deepEqual(
      [described.TotalCount, described.PageSize, described.ScalingGroups.ScalingGroup[0].RemovalPolicies.RemovalPolicy],
      [1, 5, ['OldestInstance', 'NewestInstance']],
    )
    await call('ModifyScalingGroup', { ScalingGroupId: groupId, MaxSize: 4, ScalingGroupName: 'tea-sg' })
    const modified = await call('DescribeScalingGroups', { 'ScalingGroupId.1': groupId })
    assert.deepEqual(
      [modified.ScalingGroups.ScalingGroup[0].MaxSize, modified.ScalingGroups.ScalingGroup[0].ScalingGroupName],
      [4, 'tea-sg'],
    )

    const failure = await call('DeleteScalingGroup', { ScalingGroupId: 'asg-nothere' }).catch((error: Answer) => error)
    assert.deepEqual([failure.code, failure.data.statusCode], ['InvalidScalingGroupId.NotFound', 404])
    assert.equal(
      await codeOf(darabonba({ id: lab.keys.full.id, secret: 'wrong' })('DescribeRegions', {})),
      'SignatureDoesNotMatch',
    )
    assert.equal(await codeOf(call('DescribeScalingGroups', { Bogus: 1 })), 'UnknownParameter')
    assert.equal(
      await codeOf(darabonba(lab.keys.readOnly)('DeleteScalingGroup', { ScalingGroupId: groupId })),
      'Forbidden.Unauthorized',
    )
    await call('DeleteScalingGroup', { ScalingGroupId: groupId })
    assert.equal((await call('DescribeScalingGroups', {})).TotalCount, 0)
    // Behind a path the SDK sends (and signs) `Host: 127.0.0.1:port/ess`.
    const prefixed = await darabonba(lab.keys.full, '/ess')('DescribeRegions', { RegionId: 'cn-hangzhou' })
    assert.equal(prefixed.Regions.Region.length, 1)
  })
})
