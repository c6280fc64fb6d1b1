import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AllowlistError } from '../../ports/database-allowlist.ts'
import {
  checkAllowlistAddress,
  checkClientUser,
  isAllowlistHost,
  quoteAccount,
  USER_NAME_CHARS_MAX,
} from './account.ts'

const misconfigured = (error: unknown): boolean => error instanceof AllowlistError && error.kind === 'Misconfigured'

test('only a literal IPv4 host, in its one spelling, is an allowlist host', () => {
  for (const host of ['127.71.1.5', '10.0.0.1', '0.0.0.0']) assert.ok(isAllowlistHost(host), host)
  const foreign = [
    'localhost',
    '%',
    '10.0.0.%',
    '10.0.0.0/255.255.255.0',
    '127.071.0.1',
    '::1',
    'fd00::7',
    'db.example',
    '',
  ]
  for (const host of foreign) assert.ok(!isAllowlistHost(host), host)
})

test('accounts are spelled as the server prints them, backquotes doubled', () => {
  assert.equal(quoteAccount({ user: 'app', host: '127.71.1.5' }), '`app`@`127.71.1.5`')
  assert.equal(quoteAccount({ user: 'a`b', host: 'localhost' }), '`a``b`@`localhost`')
})

test('client user names with quotes, backslashes or control characters, empty or too long, are refused', () => {
  for (const user of ['app', 'Billow-App', 'app.v2', 'x'.repeat(USER_NAME_CHARS_MAX)]) checkClientUser(user)
  for (const user of ['', "it's", 'say"hi"', 'back\\slash', 'tick`', 'new\nline', 'x'.repeat(USER_NAME_CHARS_MAX + 1)])
    assert.throws(() => checkClientUser(user), misconfigured, JSON.stringify(user))
})

test('IPv6 addresses are refused with a reason; IPv4 addresses pass', () => {
  checkAllowlistAddress('127.71.1.5')
  assert.throws(() => checkAllowlistAddress('fd00::7'), misconfigured)
})
