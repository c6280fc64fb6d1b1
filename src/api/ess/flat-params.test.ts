import assert from 'node:assert/strict'
import { test } from 'node:test'
import { essFieldName, unflattenParams } from './flat-params.ts'

const flat = (entries: Record<string, string>) => unflattenParams(new Map(Object.entries(entries)))

test('dotted names become lists (1-based, in index order) and structures', () => {
  assert.deepEqual(
    flat({
      'InstanceId.2': 'i-b',
      'InstanceId.1': 'i-a',
      'Tag.1.Key': 'env',
      'Tag.1.Value': 'prod',
      'SystemDisk.Category': 'cloud_essd',
      MinSize: '1',
      ScalingGroupName: 'undefined',
    }),
    {
      InstanceId: ['i-a', 'i-b'],
      Tag: [{ Key: 'env', Value: 'prod' }],
      SystemDisk: { Category: 'cloud_essd' },
      MinSize: '1',
    },
  )
  assert.equal(essFieldName(['InstanceId', 0]), 'InstanceId.1')
})

test('hostile names are refused before anything large or deep is built', () => {
  assert.throws(() => flat({ 'InstanceId.101': 'x' }), /at most 100/)
  assert.throws(
    () => flat({ 'InstanceId.0': 'x' }),
    (error: { code: string }) => error.code === 'UnknownParameter',
  )
  assert.throws(
    () => flat({ 'a.b.c.d.e': 'x' }),
    (error: { code: string }) => error.code === 'UnknownParameter',
  )
  assert.throws(
    () => flat({ '1x': 'x' }),
    (error: { code: string }) => error.code === 'UnknownParameter',
  )
  assert.throws(() => flat({ InstanceId: 'x', 'InstanceId.1': 'y' }), /both/)
  assert.throws(() => flat({ 'X.1': 'x', 'X.Key': 'y' }), /mixes/)
  assert.throws(
    () => unflattenParams(new Map([['__proto__', 'x']])),
    (error: { code: string }) => error.code === 'UnknownParameter',
  )
  assert.deepEqual(Object.keys(flat({ 'constructor.1': 'y' })), ['constructor'], 'own properties only')
})
