/**
 * A real Billow server in this process for the cloud SDK tests: a temporary data directory with
 * a cloud catalog (the test's vSwitch or subnet ids mapped to its own loopback ranges, and the
 * demo application as the default image), access keys of each kind, and a clean-up that
 * force-deletes every group and waits until no instance process is left.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { type ServerHandle, startServer } from '../../src/main.ts'

export const DEMO_APP_DIRECTORY = fileURLToPath(new URL('../../examples/demo-app', import.meta.url))
/** Instances of demo-app boot in well under a second; a slow CI machine gets this long. */
export const WAIT_MS = 30_000
const POLL_MS = 100

export interface AccessKeyPair {
  readonly id: string
  readonly secret: string
}

export interface CloudLab {
  readonly server: ServerHandle
  readonly dataDir: string
  readonly keys: { readonly full: AccessKeyPair; readonly readOnly: AccessKeyPair; readonly disabled: AccessKeyPair }
  // biome-ignore lint/suspicious/noExplicitAny: REST answers are read field by field in the tests
  rest(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>
  /** Every live instance and group gone: force-delete the groups, then wait. */
  cleanUp(): Promise<void>
  close(): Promise<void>
}

export async function startCloudLab(options: {
  readonly prefix: string
  readonly subnets: Readonly<Record<string, { zoneId: string; cidr: string }>>
}): Promise<CloudLab> {
  const dataDir = await mkdtemp(join(tmpdir(), options.prefix))
  await writeFile(
    join(dataDir, 'cloud-catalog.json'),
    JSON.stringify({ defaultImage: 'demo-app', subnets: options.subnets }),
  )
  const server = await startServer({ host: '127.0.0.1', port: 0, dataDir, demo: false, log: () => {} })
  const token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim()
  const rest = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await response.text()
    return { status: response.status, json: text ? JSON.parse(text) : null }
  }
  const image = await rest('POST', '/v1/images', {
    name: 'demo-app',
    directory: DEMO_APP_DIRECTORY,
    command: [process.execPath, 'server.mjs'],
    healthPath: '/health',
  })
  if (image.status !== 201) throw new Error(`registering the demo image: ${JSON.stringify(image.json)}`)
  const key = async (name: string, scope: string): Promise<AccessKeyPair> => {
    const created = await rest('POST', '/v1/access-keys', { name, scope })
    return { id: created.json.accessKey.id, secret: created.json.secret }
  }
  const keys = {
    full: await key('full', 'full'),
    readOnly: await key('reader', 'read-only'),
    disabled: await key('off', 'full'),
  }
  await rest('POST', `/v1/access-keys/${keys.disabled.id}/disable`, {})

  async function cleanUp(): Promise<void> {
    for (const group of (await rest('GET', '/v1/groups')).json.groups) {
      await rest('DELETE', `/v1/groups/${group.id}?force=true`)
    }
    await waitFor(async () => {
      const groups = (await rest('GET', '/v1/groups')).json.groups
      const instances = (await rest('GET', '/v1/instances')).json.instances
      return groups.length === 0 && instances.length === 0
    }, 'every group and instance to be gone')
  }

  return {
    server,
    dataDir,
    keys,
    rest,
    cleanUp,
    async close() {
      try {
        await cleanUp()
      } finally {
        await server.close()
        await rm(dataDir, { recursive: true, force: true })
      }
    },
  }
}

/** Polls until `look` answers something truthy and returns it; fails after WAIT_MS naming `what`. */
export async function waitFor<T>(look: () => Promise<T | undefined | false | null>, what: string): Promise<T> {
  const deadline = Date.now() + WAIT_MS
  for (;;) {
    const found = await look()
    if (found) return found
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`)
    await sleep(POLL_MS)
  }
}
