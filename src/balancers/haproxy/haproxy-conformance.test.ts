/**
 * The shared Balancer suite (test/balancer-conformance.ts) against the HAProxy driver, each test
 * with a driver of its own on a fresh state directory whose haproxy processes are stopped by PID.
 */
import { rm } from 'node:fs/promises'
import { describeBalancerConformance } from '../../../test/balancer-conformance.ts'
import {
  HAPROXY_PATH,
  haproxyBalancer,
  haproxyTest,
  stopAllHaproxyIn,
  temporaryStateDirectory,
} from './haproxy-test-support.ts'

if (HAPROXY_PATH === null) {
  haproxyTest('Balancer conformance: haproxy', async () => {}) // fails on CI, skips loudly elsewhere
} else {
  describeBalancerConformance('haproxy', {
    create: async () => {
      const stateDirectory = await temporaryStateDirectory()
      return {
        balancer: haproxyBalancer(stateDirectory),
        dispose: async () => {
          await stopAllHaproxyIn(stateDirectory)
          await rm(stateDirectory, { recursive: true, force: true })
        },
      }
    },
  })
}
