/** `billow alarms`, `billow metrics` and `billow why`: what each sends, and what it prints, on a stub API. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { NOW_MS, useStubbedCli } from './testing/fixtures.ts'

const stub = useStubbedCli()

const alarm = {
  id: 'alarm-1',
  groupId: 'asg-1',
  name: 'cpu-high',
  description: null,
  conditions: [
    {
      id: 'm1',
      metric: { kind: 'Builtin', name: 'CpuUtilization' },
      statistic: 'Maximum',
      comparison: '>=',
      threshold: 80,
    },
  ],
  expression: null,
  periodSeconds: 60,
  evaluationCount: 1,
  actions: ['asr-1'],
  enabled: true,
  state: 'ALARM',
  stateReason: 'Maximum CpuUtilization = 95 >= 80',
  stateChangedAtMs: NOW_MS - 60_000,
  consecutiveBreaches: 1,
  lastPeriodEndMs: NOW_MS,
  ownerRuleId: null,
  createdAtMs: NOW_MS - 600_000,
  updatedAtMs: NOW_MS - 600_000,
}

describe('alarms', () => {
  test('create builds seed 000’s condition from flags', async () => {
    stub.answer = () => ({ status: 201, json: alarm })
    const result = await stub.cli(
      ...['alarms', 'create', '--group', 'asg-1', '--name', 'cpu-high', '--metric', 'CpuUtilization'],
      ...['--statistic', 'Maximum', '--comparison', '>=', '--threshold', '80', '--period', '60', '--rule', 'asr-1'],
    )
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(stub.only().body, {
      groupId: 'asg-1',
      name: 'cpu-high',
      periodSeconds: 60,
      actions: ['asr-1'],
      conditions: [
        {
          id: 'm1',
          metric: { kind: 'Builtin', name: 'CpuUtilization' },
          statistic: 'Maximum',
          comparison: '>=',
          threshold: 80,
        },
      ],
    })
    assert.match(result.stdout, /ALARM/)
    assert.match(result.stdout, /Maximum CpuUtilization >= 80/)
  })

  test('a custom metric with dimensions; a metric without a threshold is a usage error', async () => {
    stub.answer = () => ({ status: 201, json: alarm })
    const ok = await stub.cli(
      ...['alarms', 'create', '--group', 'asg-1', '--name', 'queue', '--custom', 'shop/QueueLength'],
      ...['--dimension', 'queue=orders', '--comparison', '>', '--threshold', '100', '--rule', 'asr-1'],
    )
    assert.equal(ok.code, 0, ok.stderr)
    const body = stub.only().body as { conditions: { metric: unknown }[] }
    assert.deepEqual(body.conditions[0]?.metric, {
      kind: 'Custom',
      namespace: 'shop',
      name: 'QueueLength',
      dimensions: { queue: 'orders' },
    })
    const bad = await stub.cli(
      'alarms',
      'create',
      '--group',
      'asg-1',
      '--name',
      'x',
      '--metric',
      'CpuUtilization',
      '--rule',
      'asr-1',
    )
    assert.notEqual(bad.code, 0)
    assert.match(bad.stderr, /--comparison and --threshold/)
  })
})

describe('metrics and why', () => {
  test('metrics get --sparkline prints one line, and the group’s latest decisions beside it', async () => {
    stub.answer = (request) => ({
      status: 200,
      json: request.path.endsWith('/decisions')
        ? { decisions: [{ atMs: NOW_MS, outcome: 'Cooldown', reason: 'cooldown until later' }] }
        : {
            datapoints: [
              { atMs: NOW_MS - 120_000, value: 10 },
              { atMs: NOW_MS - 60_000, value: null },
              { atMs: NOW_MS, value: 90 },
            ],
          },
    })
    const result = await stub.cli(
      'metrics',
      'get',
      'CpuUtilization',
      '--group',
      'asg-1',
      '--statistic',
      'Maximum',
      '--sparkline',
    )
    assert.equal(result.code, 0, result.stderr)
    assert.equal(stub.api().requests[0]?.query.groupId, 'asg-1')
    assert.match(result.stdout, /why .* Cooldown: cooldown until later/)
    assert.match(result.stdout, /CpuUtilization Maximum ▁ █ last 90 \(min 10 max 90\)/)
  })

  test('why prints the decision log', async () => {
    stub.answer = () => ({
      status: 200,
      json: {
        decisions: [
          {
            id: 'd',
            groupId: 'asg-1',
            atMs: NOW_MS,
            alarmId: 'alarm-1',
            ruleId: 'asr-1',
            outcome: 'Cooldown',
            reason: 'alarm "cpu-high": cooldown until 2025-11-23T12:05:00.000Z',
            activityId: 'asa-1',
          },
        ],
      },
    })
    const result = await stub.cli('why', 'asg-1')
    assert.equal(result.code, 0, result.stderr)
    assert.equal(stub.only().path, '/v1/groups/asg-1/decisions')
    assert.match(result.stdout, /Cooldown/)
    assert.match(result.stdout, /cooldown until/)
  })
})

describe('step and target-tracking rules', () => {
  test('--step builds step adjustments; --target-metric a target-tracking rule', async () => {
    stub.answer = () => ({ status: 201, json: { id: 'asr-1', ari: 'ari', groupId: 'asg-1', name: 'r' } })
    const step = await stub.cli(
      ...[
        'rules',
        'create',
        '--group',
        'asg-1',
        '--name',
        'steps',
        '--type',
        'QuantityChangeInCapacity',
        '--value',
        '0',
      ],
      ...['--step', '0:10:1', '--step', '10::3'],
    )
    assert.equal(step.code, 0, step.stderr)
    assert.deepEqual((stub.only().body as Record<string, unknown>).stepAdjustments, [
      { lowerBound: 0, upperBound: 10, adjustmentValue: 1 },
      { lowerBound: 10, upperBound: null, adjustmentValue: 3 },
    ])
  })

  test('target tracking', async () => {
    stub.answer = () => ({ status: 201, json: { id: 'asr-1', ari: 'ari', groupId: 'asg-1', name: 'r' } })
    const result = await stub.cli(
      ...['rules', 'create', '--group', 'asg-1', '--name', 'cpu-50', '--type', 'TotalCapacity', '--value', '0'],
      ...['--target-metric', 'CpuUtilization', '--target-value', '50', '--disable-scale-in'],
    )
    assert.equal(result.code, 0, result.stderr)
    const body = stub.only().body as Record<string, unknown>
    assert.equal(body.ruleType, 'TargetTracking')
    assert.deepEqual(body.targetTracking, {
      metric: { kind: 'Builtin', name: 'CpuUtilization' },
      targetValue: 50,
      disableScaleIn: true,
      instanceWarmupSeconds: 60,
    })
  })
})
