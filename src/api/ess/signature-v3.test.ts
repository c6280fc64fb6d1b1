/** Signature V3 against the request recorded from @alicloud/openapi-client (shared/wire-protocols.md §1.4). */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readSignatureV3, type SignatureV3Request, signV3 } from './signature-v3.ts'

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
const headers: Record<string, string> = {
  host: '127.0.0.1:35211',
  'x-acs-action': 'CreateScalingGroup',
  'x-acs-version': '2014-08-28',
  'x-acs-date': '2026-11-22T08:11:56Z',
  'x-acs-signature-nonce': '175a26c824199419b420d7d1949b1a1f',
  'x-acs-content-sha256': EMPTY_SHA256,
  'x-acs-credentials-provider': 'static_ak',
  accept: 'application/json',
  authorization:
    'ACS3-HMAC-SHA256 Credential=testAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=c0899b4977382117f6817309e3e3f950a264574bacb93ad1044c0423fec8e746',
}

function captured(overrides: Partial<SignatureV3Request> = {}, headerOverrides: Record<string, string> = {}) {
  const all = { ...headers, ...headerOverrides }
  return {
    method: 'POST',
    path: '/',
    query: new Map(
      new URLSearchParams(
        'RegionId=cn-hangzhou&ScalingGroupName=tea%20sg&MinSize=1&MaxSize=4&RemovalPolicy.1=OldestInstance&RemovalPolicy.2=NewestInstance',
      ),
    ),
    headers: (name: string) => all[name],
    body: Buffer.alloc(0),
    ...overrides,
  }
}

test('the captured Darabonba CreateScalingGroup request', () => {
  const claims = readSignatureV3(captured())
  assert.equal(claims.accessKeyId, 'testAccessKeyId')
  assert.equal(claims.nonce, '175a26c824199419b420d7d1949b1a1f')
  assert.equal(claims.timeMs, Date.UTC(2026, 10, 22, 8, 11, 56))
  assert.deepEqual(claims.stringsToSign, [
    'ACS3-HMAC-SHA256\n5e71f903f694eda63dbb02f40a0258f020701df9bf61168bcfeaec1fb63d6f25',
  ])
  assert.equal(signV3(claims.stringsToSign[0] ?? '', 'testAccessKeySecret'), claims.signature)
})

test('behind a path prefix the SDK signs / ; both / and the path are tried', () => {
  const claims = readSignatureV3(captured({ path: '/v2/' }))
  assert.equal(claims.stringsToSign.length, 2)
  assert.equal(signV3(claims.stringsToSign[0] ?? '', 'testAccessKeySecret'), claims.signature)
})

test('a changed parameter, body or missing signed header does not verify', () => {
  const changed = readSignatureV3(captured({ query: new Map([['MinSize', '0']]) as ReadonlyMap<string, string> }))
  assert.notEqual(signV3(changed.stringsToSign[0] ?? '', 'testAccessKeySecret'), changed.signature)
  assert.throws(() => readSignatureV3(captured({ body: Buffer.from('x') })), /x-acs-content-sha256/)
  assert.throws(
    () =>
      readSignatureV3(
        captured(
          {},
          {
            authorization:
              'ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host;x-acs-action,Signature=c0899b4977382117f6817309e3e3f950a264574bacb93ad1044c0423fec8e746',
          },
        ),
      ),
    /x-acs-date/,
  )
  assert.throws(() => readSignatureV3(captured({}, { authorization: 'ACS3-HMAC-SHA256 nonsense' })), /Authorization/)
})
