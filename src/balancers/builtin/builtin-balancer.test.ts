import { describeBalancerConformance } from '../../../test/balancer-conformance.ts'
import { builtinSubject } from './builtin-test-support.ts'

describeBalancerConformance('builtin', { create: builtinSubject })
