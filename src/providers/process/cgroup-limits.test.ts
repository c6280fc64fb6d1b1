import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { findInstanceType } from '../../core/instance-type.ts'
import { createCgroupLimits, findCgroup2Mount } from './cgroup-limits.ts'

const scratch = await mkdtemp(join(tmpdir(), 'billow-cgroup-'))
after(() => rm(scratch, { recursive: true, force: true }))

/** A directory that looks like a cgroup2 mount, and a mount table naming it. */
async function fakeCgroupFileSystem(
  name: string,
  controllers: string,
): Promise<{ mount: string; mountInfoPath: string }> {
  const mount = join(scratch, name)
  await mkdir(mount, { recursive: true })
  await writeFile(join(mount, 'cgroup.controllers'), controllers)
  const mountInfoPath = join(scratch, `${name}.mountinfo`)
  await writeFile(
    mountInfoPath,
    `24 1 0:22 / /proc rw,nosuid - proc proc rw\n41 31 0:38 / ${mount} rw,relatime - cgroup2 cgroup2 rw\n`,
  )
  return { mount, mountInfoPath }
}

test('findCgroup2Mount finds the cgroup2 line and unescapes its path', () => {
  const table =
    '30 1 0:26 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n41 31 0:38 / /sys/fs/my\\040cgroup rw - cgroup2 cgroup2 rw\n'
  assert.equal(findCgroup2Mount(table), '/sys/fs/my cgroup')
  assert.equal(findCgroup2Mount('30 1 0:26 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n'), null)
})

test('with cpu and memory controllers, an instance gets its own cgroup with the type limits', async () => {
  const { mount, mountInfoPath } = await fakeCgroupFileSystem('usable', 'cpuset cpu io memory pids\n')
  const limits = createCgroupLimits({ rootDirectory: '/var/lib/billow/instances', mountInfoPath })
  const type = findInstanceType('bl.nano')
  assert.ok(type)
  const outcome = await limits.apply('i-abc', 4242, type)
  assert.deepEqual(outcome, { limitsEnforced: true, limitsNote: null })
  const availability = await limits.availability()
  assert.ok(availability.usable)
  assert.ok(availability.directory.startsWith(join(mount, 'billow')))
  const cgroup = join(availability.directory, 'i-abc')
  assert.equal(await readFile(join(cgroup, 'cpu.max'), 'utf8'), '25000 100000')
  assert.equal(await readFile(join(cgroup, 'memory.max'), 'utf8'), String(128 * 1024 * 1024))
  assert.equal(await readFile(join(cgroup, 'cgroup.procs'), 'utf8'), '4242')
  assert.equal(await readFile(join(mount, 'cgroup.subtree_control'), 'utf8'), '+cpu +memory')
  await limits.remove('i-missing')
})

test('without the cpu and memory controllers, limits are not enforced and the note says why', async () => {
  const { mountInfoPath } = await fakeCgroupFileSystem('hybrid', 'hugetlb\n')
  const limits = createCgroupLimits({ rootDirectory: '/var/lib/billow/instances', mountInfoPath })
  const type = findInstanceType('bl.small')
  assert.ok(type)
  const outcome = await limits.apply('i-abc', 4242, type)
  assert.equal(outcome.limitsEnforced, false)
  assert.match(outcome.limitsNote ?? '', /lacks the cpu and memory controller \(available: hugetlb\)/)
})

test('without a cgroup2 mount, the note says so', async () => {
  const mountInfoPath = join(scratch, 'none.mountinfo')
  await writeFile(mountInfoPath, '24 1 0:22 / /proc rw,nosuid - proc proc rw\n')
  const availability = await createCgroupLimits({ rootDirectory: '/x', mountInfoPath }).availability()
  assert.deepEqual(availability, { usable: false, note: 'cgroup v2 is not mounted here' })
})
