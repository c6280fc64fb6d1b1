import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { createSecretBox } from './secret-box.ts'

test('a sealed secret opens with its key and record, and only with them', () => {
  const key = randomBytes(32)
  const box = createSecretBox(key)
  const sealed = box.seal('s3cret-value', 'ak-1')
  assert.ok(!Buffer.from(sealed, 'base64').toString('latin1').includes('s3cret'), 'no plaintext in the sealed form')
  assert.notEqual(box.seal('s3cret-value', 'ak-1'), sealed, 'a fresh nonce per seal')
  assert.equal(box.open(sealed, 'ak-1'), 's3cret-value')
  assert.throws(() => box.open(sealed, 'ak-2'), 'bound to its record')
  assert.throws(() => createSecretBox(randomBytes(32)).open(sealed, 'ak-1'), 'another key does not open it')
  const tampered = Buffer.from(sealed, 'base64')
  tampered[14] = (tampered[14] ?? 0) ^ 1
  assert.throws(() => box.open(tampered.toString('base64'), 'ak-1'), 'altered text is refused')
  assert.throws(() => box.open('AAAA', 'ak-1'), /truncated/)
  assert.throws(() => createSecretBox(randomBytes(16)), /32 bytes/)
})
