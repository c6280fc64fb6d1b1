/** TC3 against the request recorded from tencentcloud-sdk-nodejs (shared/wire-protocols.md §2.3). */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readTc3, signTc3, type Tc3Request } from './tc3.ts'

const BODY = '{"Limit":5,"AutoScalingGroupIds":["asg-1"]}'
const SIGNATURE = '7433794b8307f38402126b31a69cf6c41a70488045f6e7cd17bd5eb239a563f0'

function captured(headerOverrides: Record<string, string> = {}, overrides: Partial<Tc3Request> = {}): Tc3Request {
  const headers: Record<string, string> = {
    host: '127.0.0.1:37519',
    'content-type': 'application/json',
    'x-tc-action': 'DescribeAutoScalingGroups',
    'x-tc-timestamp': '1795334965',
    authorization: `TC3-HMAC-SHA256 Credential=AKIDtestSecretId/2026-11-22/127/tc3_request, SignedHeaders=content-type;host, Signature=${SIGNATURE}`,
    ...headerOverrides,
  }
  return {
    method: 'POST',
    path: '/',
    rawQuery: '',
    headers: (name) => headers[name],
    body: Buffer.from(BODY),
    ...overrides,
  }
}

const verifies = (request: Tc3Request, secret = 'testSecretKey') => {
  const claims = readTc3(request)
  return claims.stringsToSign.some(
    (text) => signTc3(text, { secret, date: claims.date, service: claims.service }) === claims.signature,
  )
}

test('the captured DescribeAutoScalingGroups request, service "127" from the endpoint', () => {
  const claims = readTc3(captured())
  assert.equal(claims.accessKeyId, 'AKIDtestSecretId')
  assert.equal(claims.service, '127')
  assert.equal(claims.timeMs, 1795334965_000)
  assert.ok(
    claims.stringsToSign.includes(
      'TC3-HMAC-SHA256\n1795334965\n2026-11-22/127/tc3_request\n1087bfe33b267163e7f8088a5a1f0ac375a1cf85f5fd864b7433d6bc8d9f6d09',
    ),
  )
  assert.ok(verifies(captured()))
  assert.ok(!verifies(captured(), 'otherSecret'))
})

test('a changed body or timestamp does not verify; a scope date that is not the timestamp date is refused', () => {
  assert.ok(!verifies(captured({}, { body: Buffer.from('{"Limit":6,"AutoScalingGroupIds":["asg-1"]}') })))
  assert.ok(!verifies(captured({ 'x-tc-timestamp': '1795334966' })))
  assert.throws(() => readTc3(captured({ 'x-tc-timestamp': '1795434965' })), /credential date/)
  assert.throws(() => readTc3(captured({ authorization: 'TC3-HMAC-SHA256 Credential=x' })), /Authorization/)
})

test('the Go SDK reading: path /, host with its port, service "as"', () => {
  const base = captured({}, { path: '/tencent/' })
  const claims = readTc3(base)
  assert.ok(claims.stringsToSign.length >= 4)
  assert.ok(claims.stringsToSign.every((text) => text.includes('2026-11-22/127/tc3_request')))
})
