import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cloudInstanceType, instanceTypeCatalog } from './cloud-instance-types.ts'

const GIB = 1024 ** 3
const spec = (name: string) => {
  const found = cloudInstanceType(name)
  return found && [found.vcpu, found.memoryBytes / GIB]
}

test('ESS names read as the vCPU and memory they sell', () => {
  assert.deepEqual(spec('ecs.g6.large'), [2, 8])
  assert.deepEqual(spec('ecs.c6.xlarge'), [4, 8])
  assert.deepEqual(spec('ecs.r7.2xlarge'), [8, 64])
  assert.deepEqual(spec('ecs.hfc7.large'), [2, 4])
  assert.deepEqual(spec('ecs.g7ne.4xlarge'), [16, 64])
  assert.deepEqual(spec('ecs.t5-lc1m2.small'), [1, 2])
  assert.deepEqual(spec('ecs.u1-c1m4.xlarge'), [4, 16])
  assert.deepEqual(spec('ecs.t5-c1m1.large'), [2, 2])
})

test('Tencent names read as the vCPU and memory they sell', () => {
  assert.deepEqual(spec('S5.MEDIUM4'), [2, 4])
  assert.deepEqual(spec('S5.SMALL1'), [1, 1])
  assert.deepEqual(spec('SA2.LARGE8'), [4, 8])
  assert.deepEqual(spec('S6.2XLARGE32'), [8, 32])
  assert.deepEqual(spec('M5.4XLARGE128'), [16, 128])
})

test('anything else is unknown, and the catalog puts the operator before the rules', () => {
  for (const name of [
    '',
    'ecs',
    'ecs.g6',
    'ecs.g6.huge',
    's5.medium4',
    'S5.MEDIUM',
    'ecs.g6.9999xlarge',
    'S5.0XLARGE4',
  ])
    assert.equal(cloudInstanceType(name), undefined, name)
  const catalog = instanceTypeCatalog([
    { name: 'ecs.ebmg6.26xlarge', vcpu: 104, memoryBytes: 384 * GIB },
    { name: 'bl.nano', vcpu: 64, memoryBytes: GIB },
  ])
  assert.equal(catalog.find('ecs.ebmg6.26xlarge')?.vcpu, 104)
  assert.equal(catalog.find('bl.nano')?.vcpu, 0.25, "Billow's own types cannot be redefined")
  assert.equal(catalog.find('ecs.g6.large')?.vcpu, 2)
  assert.ok(catalog.list().some((type) => type.name === 'ecs.ebmg6.26xlarge'))
})
