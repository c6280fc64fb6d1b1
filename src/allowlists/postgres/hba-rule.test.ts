import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AllowlistError } from '../../ports/database-allowlist.ts'
import { checkWritableName, formatRule, type ManagedRule, methodFor, parseRule } from './hba-rule.ts'

const rule = (overrides: Partial<ManagedRule> = {}): ManagedRule => ({
  database: 'app',
  user: 'app_user',
  address: '127.70.1.5',
  method: 'scram-sha-256',
  ...overrides,
})

test('a rule is one host line for one address, /32 for IPv4 and /128 for IPv6', () => {
  assert.equal(formatRule(rule()), 'host app app_user 127.70.1.5/32 scram-sha-256')
  assert.equal(formatRule(rule({ address: 'fd00::5', method: 'md5' })), 'host app app_user fd00::5/128 md5')
})

test("database 'all' is the keyword; other keywords and unusual names are quoted", () => {
  assert.equal(formatRule(rule({ database: 'all' })), 'host all app_user 127.70.1.5/32 scram-sha-256')
  assert.equal(formatRule(rule({ user: 'all' })), 'host app "all" 127.70.1.5/32 scram-sha-256')
  assert.equal(formatRule(rule({ database: 'replication' })), 'host "replication" app_user 127.70.1.5/32 scram-sha-256')
  assert.equal(formatRule(rule({ user: 'Billow-App' })), 'host app "Billow-App" 127.70.1.5/32 scram-sha-256')
  assert.equal(formatRule(rule({ user: '+group' })), 'host app "+group" 127.70.1.5/32 scram-sha-256')
  assert.equal(formatRule(rule({ database: 'my db, #1' })), 'host "my db, #1" app_user 127.70.1.5/32 scram-sha-256')
})

test('every formatted rule parses back to itself', () => {
  const rules = [
    rule(),
    rule({ database: 'all' }),
    rule({ user: 'all' }),
    rule({ user: 'Billow-App', database: 'my db, #1' }),
    rule({ address: 'fe80::1%eth0', method: 'md5' }),
  ]
  for (const each of rules) assert.deepEqual(parseRule(formatRule(each)), each)
})

test('lines Billow does not write do not parse', () => {
  const foreign = [
    '',
    '# a comment',
    'local all all trust',
    'hostssl app app_user 127.70.1.5/32 scram-sha-256',
    'host all all 0.0.0.0/0 trust',
    'host app app_user 127.70.0.0/16 scram-sha-256',
    'host app app_user 127.70.1.5/128 scram-sha-256',
    'host app app_user 127.70.1.5 scram-sha-256',
    'host app app_user 127.70.1.5/32 scram-sha-256 # note',
    'host app +group 127.70.1.5/32 md5',
    'host app @users 127.70.1.5/32 md5',
    'host app "unterminated 127.70.1.5/32 md5',
    'host app a"b 127.70.1.5/32 md5',
    'host sameuser app_user 127.70.1.5/32 md5',
  ]
  for (const line of foreign) assert.equal(parseRule(line), undefined, line)
})

test('the method follows password_encryption', () => {
  assert.equal(methodFor('md5'), 'md5')
  assert.equal(methodFor('scram-sha-256'), 'scram-sha-256')
})

test('names pg_hba.conf cannot hold are Misconfigured', () => {
  for (const name of ['', 'a"b', 'a\nb', 'tab\there']) {
    assert.throws(
      () => checkWritableName(name, 'user'),
      (error: unknown) => error instanceof AllowlistError && error.kind === 'Misconfigured',
    )
  }
  checkWritableName('Billow-App, #1', 'database')
})
