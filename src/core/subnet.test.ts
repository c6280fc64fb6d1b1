import assert from 'node:assert/strict'
import { test } from 'node:test'
import { allocateAddress, parseSubnet, subnetsOverlap } from './subnet.ts'

test('CIDRs are parsed, and what is wrong with a bad one is said', () => {
  assert.deepEqual(parseSubnet('127.20.1.0/24'), {
    networkAddress: (127 << 24) + (20 << 16) + (1 << 8),
    prefixLength: 24,
  })
  assert.match(parseSubnet('127.20.1.5/24') as string, /host bits set/)
  assert.match(parseSubnet('127.20.1.0/8') as string, /prefix length/)
  assert.match(parseSubnet('300.1.1.0/24') as string, /above 255/)
  assert.match(parseSubnet('zone-a') as string, /not an IPv4 CIDR/)
})

test('addresses are handed out lowest first, skipping network, gateway and broadcast', () => {
  const subnet = parseSubnet('127.20.1.0/30')
  assert.ok(typeof subnet !== 'string')
  assert.equal(allocateAddress(subnet, new Set()), '127.20.1.2')
  assert.equal(allocateAddress(subnet, new Set(['127.20.1.2'])), undefined)
})

test('overlap', () => {
  const a = parseSubnet('127.20.0.0/16')
  const b = parseSubnet('127.20.5.0/24')
  const c = parseSubnet('127.21.0.0/24')
  assert.ok(typeof a !== 'string' && typeof b !== 'string' && typeof c !== 'string')
  assert.equal(subnetsOverlap(a, b), true)
  assert.equal(subnetsOverlap(a, c), false)
})
