import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { HealthCheck } from '../core/load-balancer.ts'
import { mergeHealthCheck, parseAttachment, parseHealthCheck, parseListener } from './attachment-args.ts'
import { UsageError } from './errors.ts'

const HTTP_DEFAULT: HealthCheck = {
  type: 'HTTP',
  path: '/',
  expectedStatusMin: 200,
  expectedStatusMax: 399,
  intervalSeconds: 2,
  timeoutSeconds: 1,
  healthyThreshold: 2,
  unhealthyThreshold: 3,
}

describe('parseListener', () => {
  test('protocol in any case, optional host, port', () => {
    assert.deepEqual(parseListener('HTTP:8000'), { protocol: 'HTTP', port: 8000 })
    assert.deepEqual(parseListener('tcp:127.0.0.2:9000'), { protocol: 'TCP', host: '127.0.0.2', port: 9000 })
  })

  test('refuses other shapes', () => {
    for (const text of ['8000', 'FTP:21', 'HTTP:', 'HTTP:x', 'HTTP:localhost:80', 'HTTP:1.2.3.4:80:1', 'HTTP:0']) {
      assert.throws(() => parseListener(text), UsageError, text)
    }
  })
})

describe('parseHealthCheck', () => {
  test('tcp, http, a path, and a status range or single status', () => {
    assert.deepEqual(parseHealthCheck('tcp'), { type: 'TCP' })
    assert.deepEqual(parseHealthCheck('HTTP'), { type: 'HTTP' })
    assert.deepEqual(parseHealthCheck('http:/health'), { type: 'HTTP', path: '/health' })
    assert.deepEqual(parseHealthCheck('http:/health:200-299'), {
      type: 'HTTP',
      path: '/health',
      expectedStatusMin: 200,
      expectedStatusMax: 299,
    })
    assert.deepEqual(parseHealthCheck('http:/a:b:204'), {
      type: 'HTTP',
      path: '/a:b',
      expectedStatusMin: 204,
      expectedStatusMax: 204,
    })
  })

  test('refuses other shapes', () => {
    for (const text of ['udp', 'tcp:/x', 'http:health', 'http:/x:399-200', '']) {
      assert.throws(() => parseHealthCheck(text), UsageError, text)
    }
  })
})

describe('mergeHealthCheck', () => {
  test('thresholds alone change only themselves', () => {
    assert.deepEqual(mergeHealthCheck({ interval: 5, unhealthy: 4 }, HTTP_DEFAULT, HTTP_DEFAULT), {
      ...HTTP_DEFAULT,
      intervalSeconds: 5,
      unhealthyThreshold: 4,
    })
  })

  test('http keeps the current path and statuses it does not name', () => {
    const current: HealthCheck = { ...HTTP_DEFAULT, path: '/ready', expectedStatusMin: 204, expectedStatusMax: 204 }
    assert.deepEqual(mergeHealthCheck({ healthCheck: { type: 'HTTP', path: '/live' } }, current, HTTP_DEFAULT), {
      ...current,
      path: '/live',
    })
  })

  test('tcp drops the path; back to http takes the defaults', () => {
    const tcp = mergeHealthCheck({ healthCheck: { type: 'TCP' }, timeout: 2 }, HTTP_DEFAULT, HTTP_DEFAULT)
    assert.deepEqual(tcp, {
      type: 'TCP',
      intervalSeconds: 2,
      timeoutSeconds: 2,
      healthyThreshold: 2,
      unhealthyThreshold: 3,
    })
    assert.deepEqual(mergeHealthCheck({ healthCheck: { type: 'HTTP', path: '/h' } }, tcp, HTTP_DEFAULT), {
      ...HTTP_DEFAULT,
      path: '/h',
      timeoutSeconds: 2,
    })
  })
})

describe('parseAttachment', () => {
  test('id, then an optional port and weight', () => {
    assert.deepEqual(parseAttachment('lb-1'), { loadBalancerId: 'lb-1' })
    assert.deepEqual(parseAttachment('lb-1:8080'), { loadBalancerId: 'lb-1', port: 8080 })
    assert.deepEqual(parseAttachment('lb-1:8080:5'), { loadBalancerId: 'lb-1', port: 8080, weight: 5 })
    assert.deepEqual(parseAttachment('lb-1::5'), { loadBalancerId: 'lb-1', weight: 5 })
  })

  test('refuses other shapes', () => {
    for (const text of ['', ':80', 'lb-1:x', 'lb-1:80:0', 'lb-1:80:5:1']) {
      assert.throws(() => parseAttachment(text), UsageError, text)
    }
  })
})
