/**
 * Malformed requests to both cloud dialects, from a fixed seed: protocol garbage (no or broken
 * signatures, bad encodings, odd methods and paths, huge and non-JSON bodies) and correctly
 * signed requests to real actions with random parameters (wrong types, huge values, unknown
 * names, ids that do not exist). Checked: no answer is a 5xx (Tencent: every answer is a 200
 * with Response.Error), the server keeps answering, and nothing in the store changed.
 * A failure message names the seed and the request.
 */
import assert from 'node:assert/strict'
import { createHash, randomUUID } from 'node:crypto'
import { after, before, test } from 'node:test'
import type { z } from 'zod'
import { Prng } from '../sim/prng.ts'
import { ESS_ACTIONS } from '../src/api/ess/handler.ts'
import { percentEncode } from '../src/api/ess/percent-encode.ts'
import { signV1, stringToSignV1 } from '../src/api/ess/signature-v1.ts'
import { TENCENT_ACTIONS } from '../src/api/tencent/handler.ts'
import { signTc3 } from '../src/api/tencent/tc3.ts'
import { type CloudLab, startCloudLab } from './support/cloud-lab.ts'

const SEED = 6006
const REQUESTS_PER_DIALECT = 2000
/** A few bodies past the 1 MiB limit; each costs a real upload, so not many. */
const HUGE_BODIES = 4

let lab: CloudLab

before(async () => {
  lab = await startCloudLab({
    prefix: 'billow-fuzz-',
    subnets: { 'vsw-fuzz': { zoneId: 'fuzz-a', cidr: '127.66.250.0/24' } },
  })
  // Something for Describe calls to show; the fuzzer never names these ids, so nothing can touch them.
  const image = (await lab.rest('GET', '/v1/images')).json.images[0]
  const lc = await lab.rest('POST', '/v1/launch-configurations', { name: 'fixture', imageId: image.id })
  await lab.rest('POST', '/v1/groups', {
    name: 'fixture',
    minSize: 0,
    maxSize: 1,
    zones: [{ zoneId: 'fuzz-a', subnet: '127.66.250.0/24' }],
    launchConfigurationId: lc.json.id,
  })
})
after(() => lab.close())

async function snapshot(): Promise<string> {
  const paths = [
    'groups',
    'launch-configurations',
    'rules',
    'instances?all=true',
    'activities',
    'images',
    'access-keys',
    'tokens',
  ]
  const parts = []
  for (const path of paths) parts.push((await lab.rest('GET', `/v1/${path}`)).json)
  // Reading a group computes `inCooldown` from the clock; the records themselves are what must not change.
  return JSON.stringify(parts)
}

const GARBAGE_STRINGS = [
  '',
  ' ',
  '-1',
  '0',
  '1',
  '2147483648',
  '99999999999999999999',
  '1e309',
  'NaN',
  '1.5',
  'true',
  'False',
  'undefined',
  'null',
  '[]',
  '["a",1]',
  '{"a":',
  '{"k":"v"}',
  '%',
  '%ZZ',
  '\u0000',
  '\uFFFD',
  '𝕏'.repeat(50),
  '<script>',
  "' OR 1=1 --",
  '../../etc/passwd',
  'x'.repeat(5000),
  'ari:acs:ess:cn-hangzhou:1:scalingrule/asr-fuzz',
  'OldestInstance',
  'TotalCapacity',
  'ecs.g6.large',
  'vsw-fuzz',
  'sg-1',
]

function pick<T>(prng: Prng, items: readonly T[]): T {
  return items[prng.integer(0, items.length - 1)] as T
}

const fuzzId = (prng: Prng) =>
  `${pick(prng, ['asg-', 'asc-', 'asr-', 'asa-', 'i-', 'img-', ''])}fuzz${prng.integer(0, 1e6).toString(36)}`

function garbageString(prng: Prng, name: string): string {
  if (/Id$|Ids$|Ari$/.test(name) && prng.next() < 0.6) return fuzzId(prng)
  return pick(prng, GARBAGE_STRINGS)
}

const shapeOf = (schema: z.ZodType): string[] => Object.keys((schema as unknown as { shape?: object }).shape ?? {})

/** Every action that could create something without naming an existing id gets an unknown parameter: it must fail. */
const CREATES_FROM_NOTHING = new Set(['CreateScalingGroup', 'CreateLaunchConfiguration'])

interface Outcome {
  readonly status: number
  readonly text: string
}

async function send(url: string, init: RequestInit): Promise<Outcome> {
  const response = await fetch(url, init)
  return { status: response.status, text: await response.text() }
}

// ---------------------------------------------------------------------------------------------
// ESS

function essSignedParams(prng: Prng): Map<string, string> {
  const action =
    prng.next() < 0.1 ? pick(prng, ['', 'Nope', 'describescalinggroups', 'A'.repeat(300)]) : pick(prng, ESS_ACTIONS)
  const name = typeof action === 'string' ? action : action.name
  const params = new Map<string, string>([['Action', name]])
  const known = typeof action === 'string' ? [] : shapeOf(action.params)
  for (let count = prng.integer(0, 6); count > 0 && known.length > 0; count -= 1) {
    const field = pick(prng, known)
    const indexed = prng.next() < 0.3 ? `${field}.${pick(prng, ['1', '2', '0', '101', 'x', '1.Key'])}` : field
    params.set(indexed, garbageString(prng, field))
  }
  if (CREATES_FROM_NOTHING.has(name) || prng.next() < 0.2) params.set(`Fuzz${prng.integer(0, 99)}`, 'x')
  if (prng.next() < 0.05) params.set('RegionId', pick(prng, GARBAGE_STRINGS))
  return params
}

function essSign(params: Map<string, string>, method: 'GET' | 'POST', keyId: string, secret: string): string {
  const all = new Map(params)
  all.set('Format', 'JSON')
  if (!all.has('Version')) all.set('Version', '2014-08-28')
  all.set('AccessKeyId', keyId)
  all.set('SignatureMethod', 'HMAC-SHA1')
  all.set('SignatureVersion', '1.0')
  all.set('SignatureNonce', randomUUID())
  all.set('Timestamp', `${new Date().toISOString().slice(0, 19)}Z`)
  all.set('Signature', signV1(stringToSignV1(method, all), secret))
  return [...all].map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`).join('&')
}

function essGarbage(prng: Prng, url: string): [string, RequestInit] {
  const kind = prng.integer(0, 7)
  const junkQuery = () =>
    pick(prng, [
      'Action=DescribeScalingGroups',
      'Signature=x&Action=',
      '%ZZ=1',
      'a=%FF%FE',
      'Action=%',
      '=&=&',
      'Action=CreateScalingGroup&MinSize=1&MaxSize=2',
    ])
  switch (kind) {
    case 0:
      return [`${url}/?${junkQuery()}`, { method: pick(prng, ['GET', 'POST', 'DELETE', 'PUT']) }]
    case 1:
      return [
        `${url}/ess/${pick(prng, ['', 'x', '../v1/groups'])}`,
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: junkQuery() },
      ]
    case 2:
      return [
        `${url}/`,
        {
          method: 'POST',
          headers: {
            authorization: pick(prng, [
              'ACS3-HMAC-SHA256',
              'ACS3-HMAC-SHA256 Credential=x,SignedHeaders=host,Signature=00',
              `ACS3-HMAC-SHA256 Credential=${lab.keys.full.id},SignedHeaders=host;x-acs-action;x-acs-date;x-acs-signature-nonce,Signature=${'0'.repeat(64)}`,
            ]),
            'x-acs-action': 'DescribeRegions',
            'x-acs-date': pick(prng, ['2026-01-01T00:00:00Z', 'now']),
            'x-acs-signature-nonce': 'n',
          },
        },
      ]
    case 3:
      return [
        `${url}/ess`,
        {
          method: 'POST',
          headers: { 'content-type': pick(prng, ['application/json', 'text/plain', 'multipart/form-data']) },
          body: '{"Action":"DescribeRegions"}',
        },
      ]
    case 4:
      return [
        `${url}/ess`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: Buffer.from(Array.from({ length: prng.integer(1, 400) }, () => prng.integer(0, 255))),
        },
      ]
    case 5:
      return [`${url}/?Action=DescribeRegions&Action=DescribeRegions`, { method: 'GET' }]
    case 6:
      return [`${url}/ess?${Array.from({ length: 600 }, (_, index) => `P${index}=1`).join('&')}`, { method: 'GET' }]
    default:
      return [`${url}/?${essSign(essSignedParams(prng), 'GET', lab.keys.full.id, 'wrong-secret')}`, { method: 'GET' }]
  }
}

/** Codes that mean the request got past the signature to an action; the fuzz must reach them often. */
const ACTION_LEVEL =
  /Parameter|NotFound|Conflict|Forbidden|Unauthorized|InvalidAction|Incorrect|InvalidVersion|NoSuchVersion|Size/

function tally(codes: Map<string, number>, code: string): void {
  codes.set(code, (codes.get(code) ?? 0) + 1)
}

function reachedActions(codes: ReadonlyMap<string, number>): number {
  return [...codes]
    .filter(([code]) => ACTION_LEVEL.test(code) && !code.startsWith('InvalidAccessKeyId'))
    .reduce((sum, [, n]) => sum + n, 0)
}

test(`ESS: ${REQUESTS_PER_DIALECT} malformed requests, seed ${SEED}: no 5xx, no state change`, async (t) => {
  const prng = new Prng(SEED)
  const codes = new Map<string, number>()
  const url = lab.server.url
  const before = await snapshot()
  for (let index = 0; index < REQUESTS_PER_DIALECT; index += 1) {
    let request: [string, RequestInit]
    if (index < HUGE_BODIES) {
      request = [
        `${url}/ess`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'a=1&'.repeat(300_000),
        },
      ]
    } else if (prng.next() < 0.4) {
      request = essGarbage(prng, url)
    } else {
      const method = prng.next() < 0.5 ? 'GET' : 'POST'
      const key = prng.next() < 0.1 ? lab.keys.readOnly : lab.keys.full
      const signed = essSign(essSignedParams(prng), method, key.id, key.secret)
      request =
        method === 'GET'
          ? [`${url}/?${signed}`, { method }]
          : [`${url}/`, { method, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: signed }]
    }
    const outcome = await send(...request)
    const where = `seed=${SEED} request #${index}: ${request[1].method} ${request[0].slice(0, 300)} ${String(request[1].body ?? '').slice(0, 300)}`
    assert.ok(outcome.status < 500, `${where} → ${outcome.status} ${outcome.text.slice(0, 300)}`)
    if (outcome.status >= 400 && new URL(request[0]).pathname.startsWith('/ess')) {
      assert.equal(typeof JSON.parse(outcome.text).Code, 'string', `${where}: an ESS error has a Code`)
    }
    const code = outcome.text.startsWith('{') ? (JSON.parse(outcome.text) as { Code?: string }).Code : undefined
    tally(codes, code ?? `HTTP ${outcome.status}`)
  }
  t.diagnostic(`answers: ${JSON.stringify(Object.fromEntries(codes))}`)
  assert.ok(reachedActions(codes) > REQUESTS_PER_DIALECT / 4, 'most signed requests reach an action')
  assert.equal(await snapshot(), before, `seed=${SEED}: the fuzzed requests changed state`)
  assert.equal((await fetch(`${url}/healthz`)).status, 200)
})

// ---------------------------------------------------------------------------------------------
// Tencent

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

function tc3Headers(body: string, action: string, key: { id: string; secret: string }, timestamp: number) {
  const date = new Date(timestamp * 1000).toISOString().slice(0, 10)
  const canonical = [
    'POST',
    '/',
    '',
    'content-type:application/json\nhost:127.0.0.1\n',
    'content-type;host',
    sha256(body),
  ].join('\n')
  const stringToSign = `TC3-HMAC-SHA256\n${timestamp}\n${date}/127/tc3_request\n${sha256(canonical)}`
  const signature = signTc3(stringToSign, { secret: key.secret, date, service: '127' })
  return {
    'content-type': 'application/json',
    'x-tc-action': action,
    'x-tc-version': '2018-04-19',
    'x-tc-timestamp': String(timestamp),
    authorization: `TC3-HMAC-SHA256 Credential=${key.id}/${date}/127/tc3_request, SignedHeaders=content-type;host, Signature=${signature}`,
  }
}

function garbageValue(prng: Prng, name: string, depth = 0): unknown {
  const kind = prng.integer(0, 9)
  if (kind === 0) return garbageString(prng, name)
  if (kind === 1) return pick(prng, [0, -1, 1, 2 ** 31, 1e308, -1e308, 0.5, Number.MAX_SAFE_INTEGER + 2])
  if (kind === 2) return pick(prng, [true, false, null])
  if (kind === 3 && depth < 3)
    return Array.from({ length: prng.integer(0, 4) }, () => garbageValue(prng, name, depth + 1))
  if (kind === 4 && depth < 3)
    return { Name: garbageValue(prng, name, depth + 1), Values: garbageValue(prng, name, depth + 1), Key: 'k' }
  if (kind === 5) return [fuzzId(prng)]
  return /Id$|Ids$/.test(name) ? fuzzId(prng) : pick(prng, GARBAGE_STRINGS)
}

function tencentSigned(prng: Prng): { action: string; body: string } {
  const chosen =
    prng.next() < 0.1
      ? pick(prng, ['', 'Nope', 'describeautoscalinggroups', 'B'.repeat(300)])
      : pick(prng, TENCENT_ACTIONS)
  const action = typeof chosen === 'string' ? chosen : chosen.name
  const known = typeof chosen === 'string' ? [] : shapeOf(chosen.params)
  const body: Record<string, unknown> = {}
  for (let count = prng.integer(0, 6); count > 0 && known.length > 0; count -= 1) {
    const field = pick(prng, known)
    body[field] = garbageValue(prng, field)
  }
  if (CREATES_FROM_NOTHING.has(action) || prng.next() < 0.2) body[`Fuzz${prng.integer(0, 99)}`] = 'x'
  const text =
    prng.next() < 0.05 ? pick(prng, ['[]', '"x"', '{"a":', '1', 'null', '['.repeat(5000)]) : JSON.stringify(body)
  return { action, body: text }
}

function tencentGarbage(prng: Prng, url: string): [string, RequestInit] {
  const now = Math.floor(Date.now() / 1000)
  const { action, body } = tencentSigned(prng)
  switch (prng.integer(0, 5)) {
    case 0:
      return [
        `${url}/tencent`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'x-tc-action': action }, body },
      ]
    case 1:
      return [
        `${url}/`,
        {
          method: 'POST',
          headers: { ...tc3Headers(body, action, { id: lab.keys.full.id, secret: 'wrong' }, now) },
          body,
        },
      ]
    case 2:
      return [`${url}/`, { method: 'POST', headers: { ...tc3Headers(body, action, lab.keys.full, now - 3600) }, body }]
    case 3:
      return [
        `${url}/`,
        {
          method: 'POST',
          headers: {
            ...tc3Headers(body, action, lab.keys.full, now),
            'x-tc-timestamp': pick(prng, ['x', '-1', '99999999999999']),
          },
          body,
        },
      ]
    case 4:
      return [
        `${url}/tencent`,
        {
          method: pick(prng, ['GET', 'PUT', 'DELETE']),
          headers: {
            authorization: pick(prng, [
              'TC3-HMAC-SHA256',
              'TC3-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host, Signature=zz',
            ]),
          },
        },
      ]
    default:
      return [
        `${url}/`,
        {
          method: 'POST',
          headers: {
            ...tc3Headers(body, action, lab.keys.full, now),
            'x-tc-version': pick(prng, ['2017-01-01', '', 'x']),
          },
          body,
        },
      ]
  }
}

test(`Tencent: ${REQUESTS_PER_DIALECT} malformed requests, seed ${SEED}: always 200 with Response, no state change`, async (t) => {
  const prng = new Prng(SEED + 1)
  const codes = new Map<string, number>()
  const url = lab.server.url
  const before = await snapshot()
  for (let index = 0; index < REQUESTS_PER_DIALECT; index += 1) {
    let request: [string, RequestInit]
    if (index < HUGE_BODIES) {
      const body = `{"a":"${'x'.repeat(1_100_000)}"}`
      request = [
        `${url}/`,
        {
          method: 'POST',
          headers: tc3Headers(body, 'DescribeAutoScalingGroups', lab.keys.full, Math.floor(Date.now() / 1000)),
          body,
        },
      ]
    } else if (prng.next() < 0.4) {
      request = tencentGarbage(prng, url)
    } else {
      const { action, body } = tencentSigned(prng)
      const key = prng.next() < 0.1 ? lab.keys.readOnly : lab.keys.full
      request = [
        `${url}/`,
        { method: 'POST', headers: tc3Headers(body, action, key, Math.floor(Date.now() / 1000)), body },
      ]
    }
    const outcome = await send(...request)
    const where = `seed=${SEED + 1} request #${index}: ${request[1].method} ${request[0]} ${JSON.stringify(request[1].headers ?? {}).slice(0, 200)} ${String(request[1].body ?? '').slice(0, 300)}`
    assert.equal(outcome.status, 200, `${where} → ${outcome.status} ${outcome.text.slice(0, 300)}`)
    const answer = JSON.parse(outcome.text) as { Response?: { Error?: { Code?: unknown } } }
    assert.ok(answer.Response, `${where}: the answer has a Response`)
    tally(codes, String(answer.Response.Error?.Code ?? 'success'))
  }
  t.diagnostic(`answers: ${JSON.stringify(Object.fromEntries(codes))}`)
  assert.ok(reachedActions(codes) > REQUESTS_PER_DIALECT / 4, 'most signed requests reach an action')
  assert.equal(await snapshot(), before, `seed=${SEED + 1}: the fuzzed requests changed state`)
  assert.equal((await fetch(`${url}/healthz`)).status, 200)
})
