import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Activity, ActivityStatus } from './api-types.ts'
import { ApiClient } from './client.ts'
import { runCli, type StubApi, startStubApi } from './testing/stub-api.ts'
import { exitCodeFor, pollActivity, progressBar, renderProgressLine } from './wait.ts'

describe('progress display', () => {
  test('the bar has ten cells', () => {
    assert.equal(progressBar(0), '[----------]')
    assert.equal(progressBar(60), '[######----]')
    assert.equal(progressBar(100), '[##########]')
    assert.equal(progressBar(250), '[##########]')
  })

  test('the line names the activity, status, progress and cause, and is cut to fit', () => {
    const activity = { id: 'asa-1', status: 'InProgress' as const, progressPercent: 60, cause: 'desired 1 → 3' }
    assert.equal(renderProgressLine(activity), 'asa-1 InProgress [######----] 60%  desired 1 → 3')
    assert.equal(renderProgressLine(activity, 20), 'asa-1 InProgress [#…')
  })

  test('exit codes follow the outcome', () => {
    const codes = (['Successful', 'Warning', 'Failed', 'Rejected'] as ActivityStatus[]).map(exitCodeFor)
    assert.deepEqual(codes, [0, 0, 1, 1])
  })
})

function activity(status: ActivityStatus, progressPercent: number, statusMessage: string | null = null): Activity {
  return {
    id: 'asa-w1',
    groupId: 'asg-1',
    request: { kind: 'FixedNumber' },
    status,
    cause: 'the group fell below its desired capacity',
    description: 'Add 2 instances',
    plan: null,
    progressPercent,
    statusMessage,
    createdAtMs: 0,
    startedAtMs: 0,
    endedAtMs: null,
  } as unknown as Activity
}

describe('activities wait', () => {
  let api: StubApi
  let sequence: Activity[] = []
  before(async () => {
    api = await startStubApi((request) => {
      if (request.path !== '/v1/activities/asa-w1') {
        return { status: 404, json: { error: { code: 'ActivityNotFound', message: 'no such activity' } } }
      }
      const next = sequence.length > 1 ? sequence.shift() : sequence[0]
      return { json: next }
    })
  })
  after(() => api.close())
  const env = () => ({ BILLOW_URL: api.url, BILLOW_TOKEN: 't' })

  test('plain lines per change, then the outcome; exit 0 on success', async () => {
    sequence = [
      activity('Queued', 0),
      activity('InProgress', 50),
      activity('InProgress', 50),
      activity('Successful', 100, 'Added 2 instances.'),
    ]
    const result = await runCli(['activities', 'wait', 'asa-w1'], { env: env() })
    assert.equal(result.code, 0, result.stderr)
    const lines = result.stdout.trimEnd().split('\n')
    assert.deepEqual(lines, [
      'asa-w1 Queued [----------] 0%  the group fell below its desired capacity',
      'asa-w1 InProgress [#####-----] 50%  the group fell below its desired capacity',
      'asa-w1 Successful [##########] 100%: Added 2 instances.',
    ])
  })

  test('a terminal redraws one line and a failure exits 1', async () => {
    sequence = [activity('InProgress', 10), activity('Failed', 40, 'launch failed: no free address')]
    const result = await runCli(['activities', 'wait', 'asa-w1'], { env: env(), isTTY: true })
    assert.equal(result.code, 1)
    assert.ok(result.stdout.startsWith('\r\u001b[Kasa-w1 InProgress [#---------] 10%'), JSON.stringify(result.stdout))
    assert.match(result.stdout, /asa-w1 Failed \[####------\] 40%: launch failed: no free address\n$/)
  })

  test('a warning exits 0 with a note', async () => {
    sequence = [activity('Warning', 100, 'Added 1 of 2 instances.')]
    const result = await runCli(['activities', 'wait', 'asa-w1'], { env: env() })
    assert.equal(result.code, 0)
    assert.match(result.stdout, /note: the activity ended with a warning/)
  })

  test('--json prints only the finished activity', async () => {
    sequence = [activity('InProgress', 10), activity('Rejected', 0, 'the group is in cooldown')]
    const result = await runCli(['activities', 'wait', 'asa-w1', '--json'], { env: env() })
    assert.equal(result.code, 1)
    assert.equal(JSON.parse(result.stdout).status, 'Rejected')
  })

  test('an unknown activity is an API error', async () => {
    const result = await runCli(['activities', 'wait', 'asa-nope'], { env: env() })
    assert.equal(result.code, 1)
    assert.equal(result.stderr, 'error ActivityNotFound: no such activity\n')
  })
})

describe('pollActivity', () => {
  test('gives up at the timeout and reports the last state seen', async () => {
    const api = await startStubApi(() => ({ json: activity('InProgress', 30) }))
    let nowMs = 0
    let polls = 0
    const client = new ApiClient({ url: api.url, token: null })
    const result = await pollActivity(client, 'asa-w1', {
      timeoutMs: 2_000,
      nowMs: () => nowMs,
      sleep: async (ms) => {
        nowMs += ms
      },
      onUpdate: () => {
        polls += 1
      },
    })
    await api.close()
    assert.equal(result.kind, 'timedOut')
    assert.equal(result.activity?.progressPercent, 30)
    // Polls at 0, 500, 1000, 1500 and 2000 ms.
    assert.equal(polls, 5)
  })

  test('waits out an unreachable server until the timeout', async () => {
    const gone = await startStubApi(() => ({}))
    await gone.close()
    let nowMs = 0
    const result = await pollActivity(new ApiClient({ url: gone.url, token: null }), 'asa-w1', {
      timeoutMs: 1_000,
      nowMs: () => nowMs,
      sleep: async (ms) => {
        nowMs += ms
      },
    })
    assert.equal(result.kind, 'timedOut')
    assert.match(result.kind === 'timedOut' ? String(result.lastError?.message) : '', /connection refused/)
  })
})
