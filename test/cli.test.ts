/**
 * End to end: the real server (startServer, SQLite, process provider) in a temporary data
 * directory, and the `billow` executable run as a child process against it, found through
 * `--data` as a user on the same machine would. Instances are real processes; the test removes
 * its group and stops any instance left over by PID.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { startServer } from '../src/main.ts'

const binPath = fileURLToPath(new URL('../bin/billow.mjs', import.meta.url))
const demoAppDir = fileURLToPath(new URL('../examples/demo-app', import.meta.url))

/** How long a scale-out of demo-app processes may take on a slow CI machine. */
const WAIT_SECONDS = 60

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** The environment of a user who has not configured anything. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra }
  for (const name of ['BILLOW_URL', 'BILLOW_TOKEN', 'BILLOW_DATA_DIR', 'BILLOW_HOST', 'BILLOW_PORT']) {
    if (!(name in extra)) delete env[name]
  }
  return env
}

/** Asynchronous on purpose: the server runs in this process and must keep answering. */
function runBillow(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], { cwd: tmpdir(), env: cleanEnv(env) })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** Stops instance processes the test's server launched and did not stop, by the PIDs it recorded. */
function stopLeftoverInstances(dataDir: string): void {
  const root = join(dataDir, 'instances')
  if (!existsSync(root)) return
  for (const entry of readdirSync(root)) {
    const launchPath = join(root, entry, 'launch.json')
    if (!existsSync(launchPath) || existsSync(join(root, entry, 'exit.json'))) continue
    const { pid } = JSON.parse(readFileSync(launchPath, 'utf8')) as { pid?: number }
    if (typeof pid !== 'number') continue
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Already gone: nothing to stop.
    }
  }
}

describe('billow CLI against the real server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'billow-cli-e2e-'))
  let server: Awaited<ReturnType<typeof startServer>>
  const billow = (...args: string[]) => runBillow(['--data', dataDir, ...args])
  const billowJson = async <T>(...args: string[]): Promise<T> => {
    const run = await billow(...args, '--json')
    assert.equal(run.code, 0, `billow ${args.join(' ')}: ${run.stderr}`)
    return JSON.parse(run.stdout) as T
  }

  before(async () => {
    server = await startServer({ host: '127.0.0.1', port: 0, dataDir, demo: false, log: () => {} })
  })

  after(async () => {
    stopLeftoverInstances(dataDir)
    await server.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  test('from an image to a scaled group and back', async (t) => {
    const image = await billowJson<{ id: string; command: string[]; directory: string }>(
      ...['images', 'register', '--name', 'demo', '--dir', demoAppDir],
      ...['--command', `${process.execPath} server.mjs`, '--health-path', '/health'],
    )
    assert.deepEqual(image.command, [process.execPath, 'server.mjs'])
    assert.equal(image.directory, demoAppDir)

    const lc = await billowJson<{ id: string }>(
      ...['lc', 'create', '--name', 'web', '--image', image.id, '--port', '8080', '--env', 'GREETING=hi'],
    )
    const group = await billowJson<{ id: string; desiredCapacity: number }>(
      ...['groups', 'create', '--name', 'web', '--min', '0', '--max', '4', '--desired', '1', '--lc', lc.id],
      ...['--zone', 'zone-a=127.20.1.0/24', '--zone', 'zone-b=127.20.2.0/24'],
    )
    assert.equal(group.desiredCapacity, 1)

    await t.test('set-desired --wait ends Successful with two InService instances', async () => {
      const run = await billow('groups', 'set-desired', group.id, '2', '--wait', '--timeout', String(WAIT_SECONDS))
      assert.equal(run.code, 0, run.stderr)
      assert.match(run.stdout, /asa-\S+ Successful/)
      const { instances } = await billowJson<{ instances: { state: string }[] }>(
        ...['instances', 'list', '--group', group.id],
      )
      assert.deepEqual(
        instances.map((instance) => instance.state),
        ['InService', 'InService'],
      )
    })

    await t.test('describe shows the group, its instances and its activities', async () => {
      const run = await billow('groups', 'describe', group.id)
      assert.equal(run.code, 0, run.stderr)
      assert.match(run.stdout, /desired capacity\s+2/)
      assert.match(run.stdout, /Instances:\nID\s+GROUP/)
      assert.equal(run.stdout.match(/^i-\S+\s+asg-/gm)?.length, 2)
      assert.match(run.stdout, /Recent activities \(last 5\):\nID\s+GROUP\s+STATUS/)
    })

    await t.test('a rule runs by its ARI, and the cooldown it starts rejects the next run', async () => {
      const rule = await billowJson<{ ari: string }>(
        ...['rules', 'create', '--group', group.id, '--name', 'out', '--type', 'QuantityChangeInCapacity'],
        ...['--value', '1', '--cooldown', '600'],
      )
      const first = await billow('rules', 'execute', rule.ari, '--wait', '--timeout', String(WAIT_SECONDS))
      assert.equal(first.code, 0, first.stderr)
      assert.match(first.stdout, /Successful/)
      const second = await billow('rules', 'execute', rule.ari, '--wait')
      assert.equal(second.code, 1)
      assert.match(second.stdout, /Rejected/)
      const describe = await billow('groups', 'describe', group.id)
      assert.match(describe.stdout, /cooldown\s+in cooldown until .* left\)/)
    })

    await t.test('protection shows in the instance table', async () => {
      const { instances } = await billowJson<{ instances: { id: string }[] }>(
        ...['instances', 'list', '--group', group.id],
      )
      const first = instances[0]?.id ?? ''
      const run = await billow('groups', 'protect', group.id, first)
      assert.equal(run.code, 0, run.stderr)
      assert.match(run.stdout, new RegExp(`^${first}\\s.*\\syes\\s`, 'm'))
    })

    await t.test('a read-only token reads but may not change anything', async () => {
      const created = await billowJson<{ secret: string; token: { scope: string } }>(
        ...['tokens', 'create', '--name', 'ci', '--read-only'],
      )
      assert.equal(created.token.scope, 'read-only')
      const env = { BILLOW_URL: server.url, BILLOW_TOKEN: created.secret }
      const list = await runBillow(['groups', 'list'], env)
      assert.equal(list.code, 0, list.stderr)
      assert.match(list.stdout, /^asg-\S+\s+web\s+Active/m)
      const change = await runBillow(['groups', 'set-desired', group.id, '1'], env)
      assert.equal(change.code, 1)
      assert.match(change.stderr, /^error Forbidden: /)
    })

    await t.test('API errors exit 1 with their code; usage errors exit 2', async () => {
      const missing = await billow('groups', 'describe', 'asg-doesnotexist')
      assert.equal(missing.code, 1)
      assert.match(missing.stderr, /^error ScalingGroupNotFound: /)
      const bounds = await billow('groups', 'modify', group.id, '--min', '5')
      assert.equal(bounds.code, 1)
      assert.match(bounds.stderr, /^error IncorrectCapacity\.\w+: /)
      const usage = await billow('groups', 'set-desired', group.id, 'many')
      assert.equal(usage.code, 2)
    })

    await t.test('a forced delete removes the group and its instances', async () => {
      const run = await billow('groups', 'delete', group.id, '--force')
      assert.equal(run.code, 0, run.stderr)
      const deadlineMs = Date.now() + WAIT_SECONDS * 1000
      let live = Number.POSITIVE_INFINITY
      while (live > 0 && Date.now() < deadlineMs) {
        const { instances } = await billowJson<{ instances: unknown[] }>('instances', 'list', '--group', group.id)
        live = instances.length
        if (live > 0) await new Promise((resolve) => setTimeout(resolve, 500))
      }
      assert.equal(live, 0)
    })
  })
})

describe('billow serve', () => {
  test('serves until SIGTERM, is found through --data, and exits 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'billow-serve-e2e-'))
    const child = spawn(process.execPath, [binPath, 'serve', '--port', '0', '--data', dataDir], {
      cwd: tmpdir(),
      env: cleanEnv(),
    })
    try {
      let stdout = ''
      child.stderr.resume()
      await new Promise<void>((resolve, reject) => {
        child.on('exit', (code) => reject(new Error(`serve exited early with ${code}: ${stdout}`)))
        child.stdout.on('data', (chunk) => {
          stdout += chunk
          if (stdout.includes('admin token:')) resolve()
        })
      })
      assert.match(stdout, /Billow API: http:\/\/127\.0\.0\.1:\d+/)
      assert.ok(stdout.includes(`admin token: ${join(dataDir, 'admin-token')}`))
      assert.ok(existsSync(join(dataDir, 'server.json')))

      const list = await runBillow(['groups', 'list', '--data', dataDir])
      assert.equal(list.code, 0, list.stderr)
      assert.match(list.stdout, /no scaling groups/)

      child.removeAllListeners('exit')
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
      child.kill('SIGTERM')
      assert.equal(await exited, 0)
      assert.equal(existsSync(join(dataDir, 'server.json')), false)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
