/**
 * The clouds' instance type names, read as the vCPU and memory they stand for, so that a launch
 * configuration written for ESS (`ecs.g6.large`) or Tencent (`S5.MEDIUM4`) launches an instance
 * with the same limits. The names follow rules, so rules read them:
 *
 *   ESS      ecs.<family>.<size>: size large = 2 vCPU, xlarge = 4, <n>xlarge = 4n; memory per
 *            vCPU by family letter c = 2 GiB, g = 4, r = 8 (hfc7, g6e, r7a … alike); families
 *            that spell the ratio (`ecs.t5-lc1m2.small`, `ecs.u1-c1m4.xlarge`) use it, small = 1 vCPU.
 *   Tencent  <FAMILY>.<SIZE><memory GiB>: SMALL = 1 vCPU, MEDIUM = 2, LARGE = 4, <n>XLARGE = 4n.
 *
 * Names the rules do not read (bare-metal, GPU, burstable oddities) come from the operator's
 * cloud catalog (docs/cloud-catalog.md).
 */
import { INSTANCE_TYPES, type InstanceTypeSpec } from './instance-type.ts'

const GIB = 1024 * 1024 * 1024
/** No cloud sells more per instance; a bigger number is a typo, not a type. */
const VCPU_MAX = 1_024

const ESS_FAMILY = /^ecs\.(?:[a-z]*?)([cgr])\d+[a-z0-9]*\.(large|xlarge|(\d{1,3})xlarge)$/
const ESS_RATIO = /^ecs\.[a-z0-9]+-[a-z]*c(\d{1,2})m(\d{1,2})\.(small|large|xlarge|(\d{1,3})xlarge)$/
const TENCENT = /^[A-Z]{1,4}\d{0,2}[a-z]?\.(SMALL|MEDIUM|LARGE|(\d{1,3})XLARGE)(\d{1,4})$/
const GIB_PER_VCPU: Readonly<Record<string, number>> = { c: 2, g: 4, r: 8 }

function essVcpu(size: string, multiple: string | undefined): number {
  if (size === 'small') return 1
  if (size === 'large') return 2
  return 4 * (multiple === undefined ? 1 : Number(multiple))
}

function tencentVcpu(size: string, multiple: string | undefined): number {
  if (size === 'SMALL') return 1
  if (size === 'MEDIUM') return 2
  return 4 * (multiple === undefined ? 1 : Number(multiple))
}

/** The vCPU and memory a cloud instance type name stands for, when the rules can read it. */
export function cloudInstanceType(name: string): InstanceTypeSpec | undefined {
  let vcpu: number | undefined
  let memoryGib: number | undefined
  const family = ESS_FAMILY.exec(name)
  const ratio = family ? null : ESS_RATIO.exec(name)
  const tencent = family || ratio ? null : TENCENT.exec(name)
  if (family) {
    vcpu = essVcpu(family[2] as string, family[3])
    memoryGib = vcpu * (GIB_PER_VCPU[family[1] as string] as number)
  } else if (ratio) {
    vcpu = essVcpu(ratio[3] as string, ratio[4])
    memoryGib = (vcpu * Number(ratio[2])) / Number(ratio[1])
  } else if (tencent) {
    vcpu = tencentVcpu(tencent[1] as string, tencent[2])
    memoryGib = Number(tencent[3])
  }
  if (vcpu === undefined || memoryGib === undefined) return undefined
  if (vcpu < 1 || vcpu > VCPU_MAX || !(memoryGib > 0)) return undefined
  return { name, vcpu, memoryBytes: Math.round(memoryGib * GIB) }
}

/** Every instance type an installation knows: Billow's own, the operator's, then the clouds' rules. */
export interface InstanceTypeCatalog {
  find(name: string): InstanceTypeSpec | undefined
  /** Billow's own and the operator's; the rules' names are too many to list. */
  list(): readonly InstanceTypeSpec[]
}

export function instanceTypeCatalog(operatorTypes: readonly InstanceTypeSpec[] = []): InstanceTypeCatalog {
  const listed = [
    ...INSTANCE_TYPES,
    ...operatorTypes.filter((type) => !INSTANCE_TYPES.some((own) => own.name === type.name)),
  ]
  const byName = new Map(listed.map((type) => [type.name, type]))
  return {
    find: (name) => byName.get(name) ?? cloudInstanceType(name),
    list: () => listed,
  }
}

/** Billow's own types and the clouds' rules, for installations (and tests) without an operator catalog. */
export const DEFAULT_INSTANCE_TYPES: InstanceTypeCatalog = instanceTypeCatalog()
