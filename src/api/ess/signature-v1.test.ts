/** Signature 1.0 against the vectors recorded from pop-core and the ESS documentation (shared/wire-protocols.md §1.3). */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readSignatureV1, signV1, stringToSignV1 } from './signature-v1.ts'

const fromForm = (body: string) => new Map(new URLSearchParams(body))

test('the captured pop-core DescribeScalingGroups POST', () => {
  const params = fromForm(
    'AccessKeyId=testAccessKeyId&Action=DescribeScalingGroups&Format=JSON&PageNumber=1&PageSize=10&RegionId=cn-hangzhou&ScalingGroupId.1=asg-probe0001&SignatureMethod=HMAC-SHA1&SignatureNonce=adba45eab4526e495e5e3cd67c04c76d&SignatureVersion=1.0&Timestamp=2026-11-22T08%3A09%3A24Z&Version=2014-08-28&Signature=OY7N70SLuEbjMlVGNs3dH0sOY0Y%3D',
  )
  const claims = readSignatureV1('POST', params)
  assert.equal(
    claims.stringToSign,
    'POST&%2F&AccessKeyId%3DtestAccessKeyId%26Action%3DDescribeScalingGroups%26Format%3DJSON%26PageNumber%3D1%26PageSize%3D10%26RegionId%3Dcn-hangzhou%26ScalingGroupId.1%3Dasg-probe0001%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3Dadba45eab4526e495e5e3cd67c04c76d%26SignatureVersion%3D1.0%26Timestamp%3D2026-11-22T08%253A09%253A24Z%26Version%3D2014-08-28',
  )
  assert.equal(signV1(claims.stringToSign, 'testAccessKeySecret'), 'OY7N70SLuEbjMlVGNs3dH0sOY0Y=')
  assert.equal(claims.signature, 'OY7N70SLuEbjMlVGNs3dH0sOY0Y=')
  assert.equal(claims.accessKeyId, 'testAccessKeyId')
  assert.equal(claims.nonce, 'adba45eab4526e495e5e3cd67c04c76d')
  assert.equal(claims.timeMs, Date.UTC(2026, 10, 22, 8, 9, 24))
  assert.notEqual(
    signV1(stringToSignV1('GET', params), 'testAccessKeySecret'),
    claims.signature,
    'the method is signed',
  )
})

test('the published vectors: ECS DescribeRegions and the ESS documentation example', () => {
  const ecs = new Map([
    ['AccessKeyId', 'testid'],
    ['Action', 'DescribeRegions'],
    ['Format', 'XML'],
    ['SignatureMethod', 'HMAC-SHA1'],
    ['SignatureNonce', '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf'],
    ['SignatureVersion', '1.0'],
    ['Timestamp', '2016-02-23T12:46:24Z'],
    ['Version', '2014-05-26'],
  ])
  assert.equal(signV1(stringToSignV1('GET', ecs), 'testsecret'), 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=')
  const ess = fromForm(
    'TimeStamp=2014-08-15T11%3A10%3A07Z&Format=xml&AccessKeyId=testid&Action=DescribeScalingGroups&SignatureMethod=HMAC-SHA1&RegionId=cn-qingdao&SignatureNonce=1324fd0e-e2bb-4bb1-917c-bd6e437f1710&SignatureVersion=1.0&Version=2014-08-28',
  )
  assert.equal(signV1(stringToSignV1('GET', ess), 'testsecret'), 'SmhZuLUnXmqxSEZ/GqyiwGqmf+M=')
})

test('a request without the signature parameters is malformed, naming what is missing', () => {
  assert.throws(() => readSignatureV1('GET', fromForm('Action=DescribeRegions')), /Signature is missing/)
  const wrongMethod = fromForm(
    'Signature=x&AccessKeyId=a&SignatureMethod=HMAC-SHA256&SignatureVersion=1.0&Timestamp=2026-01-01T00:00:00Z&SignatureNonce=n',
  )
  assert.throws(() => readSignatureV1('GET', wrongMethod), /HMAC-SHA1/)
  const badTime = fromForm(
    'Signature=x&AccessKeyId=a&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&Timestamp=yesterday&SignatureNonce=n',
  )
  assert.throws(() => readSignatureV1('GET', badTime), /Timestamp/)
})
