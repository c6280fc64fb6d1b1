import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { CloudCall } from './cloud/cloud-call.ts'
import { CLOUD_BODY_BYTES_MAX, createDispatcher } from './dispatch.ts'

function recordingDispatcher() {
  const seen: { to: string; path?: string; body?: string | null }[] = []
  const cloud = (to: string) => async (call: CloudCall) => {
    seen.push({ to, path: call.path, body: call.body === null ? null : call.body.toString('utf8') })
    return new Response('{}')
  }
  const dispatch = createDispatcher({
    rest: async (request) => {
      seen.push({ to: 'rest', path: new URL(request.url).pathname, body: await request.text() })
      return new Response('{}')
    },
    ess: cloud('ess'),
    tencent: cloud('tencent'),
  })
  return { seen, dispatch }
}

test('requests go to the dialect their protocol names, at / or under a prefix', async () => {
  const { seen, dispatch } = recordingDispatcher()
  const at = (path: string, init: RequestInit = {}) => dispatch(new Request(`http://127.0.0.1:1${path}`, init))
  await at('/', { method: 'POST', headers: { authorization: 'TC3-HMAC-SHA256 Credential=x' }, body: '{}' })
  await at('/', { method: 'POST', headers: { 'x-tc-action': 'DescribeAutoScalingGroups' }, body: '{}' })
  await at('/?RegionId=x', { method: 'POST', headers: { authorization: 'ACS3-HMAC-SHA256 Credential=x' } })
  await at('/?Action=DescribeRegions&Signature=x')
  const form = { 'content-type': 'application/x-www-form-urlencoded' }
  await at('/', { method: 'POST', headers: form, body: 'Action=DescribeRegions&Format=JSON' })
  await at('/', { method: 'POST', headers: form, body: 'name=not-a-cloud-call' })
  await at('/ess/', { method: 'POST', headers: form, body: 'a=1' })
  await at('/tencent', { method: 'POST', body: '{}' })
  await at('/v1/groups')
  await at('/essential')
  assert.deepEqual(
    seen.map((entry) => `${entry.to} ${entry.path}`),
    [
      'tencent /',
      'tencent /',
      'ess /',
      'ess /',
      'ess /',
      'rest /',
      'ess /',
      'tencent /',
      'rest /v1/groups',
      'rest /essential',
    ],
  )
  assert.equal(seen[5]?.body, 'name=not-a-cloud-call', 'a form body read for routing is handed on whole')
})

test('an oversized cloud body is not read past the limit; the dialect is told', async () => {
  const { seen, dispatch } = recordingDispatcher()
  const response = await dispatch(
    new Request('http://127.0.0.1:1/ess', { method: 'POST', body: 'a'.repeat(CLOUD_BODY_BYTES_MAX + 1) }),
  )
  assert.equal(seen[0]?.body, null)
  assert.equal(response.headers.get('connection'), 'close')
})
