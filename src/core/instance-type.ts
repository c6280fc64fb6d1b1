/**
 * Instance types: the vCPU and memory an instance gets. The process provider enforces them with
 * cgroups where the machine allows it; the name scheme follows the clouds' families.
 */
export interface InstanceTypeSpec {
  readonly name: string
  readonly vcpu: number
  readonly memoryBytes: number
}

const MIB = 1024 * 1024

export const INSTANCE_TYPES: readonly InstanceTypeSpec[] = [
  { name: 'bl.nano', vcpu: 0.25, memoryBytes: 128 * MIB },
  { name: 'bl.micro', vcpu: 0.5, memoryBytes: 256 * MIB },
  { name: 'bl.small', vcpu: 1, memoryBytes: 512 * MIB },
  { name: 'bl.medium', vcpu: 1, memoryBytes: 1024 * MIB },
  { name: 'bl.large', vcpu: 2, memoryBytes: 2048 * MIB },
]

export const DEFAULT_INSTANCE_TYPE = 'bl.micro'

export const findInstanceType = (name: string): InstanceTypeSpec | undefined =>
  INSTANCE_TYPES.find((type) => type.name === name)
