import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import type { ImageId } from '../../core/ids.ts'
import type { Image } from '../../core/types.ts'
import { createCloudCatalog } from './catalog.ts'
import { cloudCatalogFileSchema, readCloudCatalogFile } from './catalog-file.ts'

const image = (id: string, name: string): Image => ({
  id: id as ImageId,
  name,
  directory: '/srv',
  command: ['app'],
  healthPath: null,
  createdAtMs: 0,
})
const images = [image('img-1', 'web'), image('img-2', 'worker')]

test('image ids resolve to registered images: own id or name, the mapping, then the default', () => {
  const catalog = createCloudCatalog(
    cloudCatalogFileSchema.parse({
      images: { 'centos_7.vhd': 'worker', 'img-gone': 'nothing' },
      defaultImage: 'img-1',
    }),
  )
  assert.equal(catalog.resolveImage('img-2', images)?.id, 'img-2')
  assert.equal(catalog.resolveImage('web', images)?.id, 'img-1')
  assert.equal(catalog.resolveImage('centos_7.vhd', images)?.id, 'img-2')
  assert.equal(catalog.resolveImage('img-gone', images), undefined, 'a mapping to nothing is not the default')
  assert.equal(catalog.resolveImage('ubuntu_22', images)?.id, 'img-1')
  assert.equal(createCloudCatalog().resolveImage('ubuntu_22', images), undefined, 'no default, no image')
})

test('subnet ids: listed ones are the operator zones; others get a stable /24 of the pool', () => {
  const catalog = createCloudCatalog(
    cloudCatalogFileSchema.parse({
      subnets: { 'vsw-a': { zoneId: 'zone-a', cidr: '127.66.1.0/24' } },
      subnetPool: '127.200.0.0/16',
    }),
  )
  assert.deepEqual(catalog.zoneFor('vsw-a'), { zoneId: 'zone-a', subnet: '127.66.1.0/24' })
  const derived = catalog.zoneFor('vsw-bp1s5fnvk4gn2tws03624')
  assert.equal(derived.zoneId, 'vsw-bp1s5fnvk4gn2tws03624')
  assert.match(derived.subnet, /^127\.200\.\d{1,3}\.0\/24$/)
  assert.deepEqual(catalog.zoneFor('vsw-bp1s5fnvk4gn2tws03624'), derived)
  assert.equal(catalog.subnetIdFor({ zoneId: 'zone-a', subnet: '127.66.1.0/24' }, 'vsw-'), 'vsw-a')
  assert.equal(catalog.subnetIdFor(derived, 'vsw-'), 'vsw-bp1s5fnvk4gn2tws03624')
  assert.equal(catalog.subnetIdFor({ zoneId: 'zone-b', subnet: '127.20.2.0/24' }, 'subnet-'), 'subnet-zone-b')
})

test('instance types: the operator adds names the rules cannot read', () => {
  const catalog = createCloudCatalog(
    cloudCatalogFileSchema.parse({ instanceTypes: [{ name: 'ecs.ebmg6.26xlarge', vcpu: 104, memoryMiB: 393216 }] }),
  )
  assert.equal(catalog.instanceTypes.find('ecs.ebmg6.26xlarge')?.memoryBytes, 384 * 1024 ** 3)
  assert.equal(catalog.instanceTypes.find('ecs.g6.large')?.vcpu, 2)
})

test('a catalog file that does not parse stops the start with its field; a missing one is empty', () => {
  const directory = mkdtempSync(join(tmpdir(), 'billow-catalog-'))
  try {
    const path = join(directory, 'cloud-catalog.json')
    assert.deepEqual(readCloudCatalogFile(path).subnets, {})
    writeFileSync(path, '{"subnets": {"vsw-a": {"zoneId": "Zone A", "cidr": "x"}}}')
    assert.throws(() => readCloudCatalogFile(path), /subnets\.vsw-a\.zoneId/)
    writeFileSync(path, '{"subnetPool": "10.0.0.0/24"}')
    assert.throws(() => createCloudCatalog(readCloudCatalogFile(path)), /subnetPool/)
    writeFileSync(path, '{not json')
    assert.throws(() => readCloudCatalogFile(path), /not JSON/)
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
})
