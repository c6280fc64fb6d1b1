/**
 * Shared set-up of the in-process CLI tests: sample API answers, and a stub API on loopback
 * whose answers each test sets, with the CLI pointed at it.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, beforeEach } from 'node:test'
import { type CliRun, runCli, type StubAnswer, type StubApi, type StubRequest, startStubApi } from './stub-api.ts'

export const NOW_MS = Date.UTC(2025, 10, 23, 12, 0, 0)

export const group = {
  id: 'asg-1',
  name: 'web',
  state: 'Active',
  minSize: 1,
  maxSize: 4,
  desiredCapacity: 2,
  defaultCooldownSeconds: 300,
  zones: [{ zoneId: 'zone-a', subnet: '127.20.1.0/24' }],
  removalPolicies: ['OldestInstance'],
  launchConfigurationId: 'asc-1',
  cooldownUntilMs: NOW_MS + 90_000,
  retryAfterMs: null,
  consecutiveFailures: 0,
  loadBalancers: [],
  databaseIds: [],
  healthCheckType: 'Provider',
  healthCheckGracePeriodSeconds: 60,
  createdAtMs: NOW_MS - 600_000,
  instanceCount: 2,
  inServiceCount: 1,
  queueLength: 0,
  inCooldown: true,
}

export const activity = {
  id: 'asa-1',
  groupId: 'asg-1',
  request: { kind: 'SetDesiredCapacity', desiredCapacity: 3, honorCooldown: false },
  status: 'Queued',
  cause: 'a user set the desired capacity to 3',
  description: 'Set desired capacity',
  plan: null,
  progressPercent: 0,
  statusMessage: null,
  createdAtMs: NOW_MS,
  startedAtMs: null,
  endedAtMs: null,
}

export interface StubbedCli {
  /** What the stub answers; set by each test. */
  answer: (request: StubRequest) => StubAnswer
  readonly api: () => StubApi
  readonly workDir: string
  /** Runs `billow ARGS` against the stub, with a token and a fixed clock. */
  readonly cli: (...args: string[]) => Promise<CliRun>
  /** The one request the last command made. */
  readonly only: () => StubRequest
}

/** Registers the hooks of a test file: a stub API for the whole file, requests cleared per test. */
export function useStubbedCli(): StubbedCli {
  let api: StubApi | undefined
  const workDir = mkdtempSync(join(tmpdir(), 'billow-cli-test-'))
  const stubbed: StubbedCli = {
    answer: () => ({ json: {} }),
    api: () => {
      assert.ok(api, 'the stub API starts in before()')
      return api
    },
    workDir,
    cli: (...args) =>
      runCli(args, { env: { BILLOW_URL: stubbed.api().url, BILLOW_TOKEN: 'tok-secret' }, cwd: workDir, nowMs: NOW_MS }),
    only: () => {
      const { requests } = stubbed.api()
      assert.equal(requests.length, 1)
      return requests[0] as StubRequest
    },
  }
  before(async () => {
    api = await startStubApi((request) => stubbed.answer(request))
  })
  after(async () => {
    await api?.close()
    rmSync(workDir, { recursive: true, force: true })
  })
  beforeEach(() => {
    stubbed.api().requests.length = 0
  })
  return stubbed
}
