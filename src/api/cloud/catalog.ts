/**
 * What cloud names mean on this installation, for both cloud dialects:
 *
 * - instance types: Billow's own, the operator's (`instanceTypes`), then the clouds' naming
 *   rules (core/cloud-instance-types.ts): `ecs.g6.large` is 2 vCPU and 8 GiB wherever it runs;
 * - image ids: a registered image's id or name is itself; a cloud image id (`centos_7_…vhd`,
 *   `img-8toqc1a`) is looked up in `images`, else the `defaultImage` runs, so a script that
 *   names a cloud image still launches something real;
 * - vSwitch and subnet ids: those in `subnets` are the operator's zones and CIDRs; any other
 *   well-formed id is a zone of its own name with a /24 derived from the id inside
 *   `subnetPool`, the same /24 every time.
 */
import {
  DEFAULT_INSTANCE_TYPES,
  type InstanceTypeCatalog,
  instanceTypeCatalog,
} from '../../core/cloud-instance-types.ts'
import { formatIpv4, parseIpv4, parseSubnet } from '../../core/subnet.ts'
import type { Image, Zone } from '../../core/types.ts'
import { type CloudCatalogFile, EMPTY_CLOUD_CATALOG } from './catalog-file.ts'

const MIB = 1024 * 1024
/** Derived subnets are /24s: 253 instances per vSwitch, far past a group's zone share. */
const DERIVED_PREFIX_LENGTH = 24
/** A pool must hold at least 256 /24s, so that two ids of one group rarely draw the same one. */
const POOL_PREFIX_LENGTH_MAX = 16

export interface CloudCatalog {
  readonly instanceTypes: InstanceTypeCatalog
  /** The registered image a cloud image id stands for; undefined when none does. */
  resolveImage(imageId: string, images: readonly Image[]): Image | undefined
  /** The zone and subnet a vSwitch or subnet id stands for (the id's form is checked by the caller). */
  zoneFor(subnetId: string): Zone
  /** The id a zone is shown with: its catalog id, its own name when that has the prefix, else prefix + name. */
  subnetIdFor(zone: Zone, prefix: 'vsw-' | 'subnet-'): string
}

export function createCloudCatalog(file: CloudCatalogFile = EMPTY_CLOUD_CATALOG): CloudCatalog {
  const instanceTypes =
    file.instanceTypes.length === 0
      ? DEFAULT_INSTANCE_TYPES
      : instanceTypeCatalog(
          file.instanceTypes.map((type) => ({ name: type.name, vcpu: type.vcpu, memoryBytes: type.memoryMiB * MIB })),
        )
  for (const [id, zone] of Object.entries(file.subnets)) {
    const parsed = parseSubnet(zone.cidr)
    if (typeof parsed === 'string') throw new Error(`cloud catalog: subnets.${id}.cidr: ${parsed}`)
  }
  const pool = parsePool(file.subnetPool)
  const byName = (reference: string, images: readonly Image[]) =>
    images.find((image) => image.id === reference) ?? images.find((image) => image.name === reference)

  return {
    instanceTypes,
    resolveImage(imageId, images) {
      const own = byName(imageId, images)
      if (own) return own
      const mapped = file.images[imageId]
      if (mapped !== undefined) return byName(mapped, images)
      return file.defaultImage === null ? undefined : byName(file.defaultImage, images)
    },
    zoneFor(subnetId) {
      const listed = file.subnets[subnetId]
      if (listed) return { zoneId: listed.zoneId, subnet: listed.cidr }
      const blocks = 2 ** (DERIVED_PREFIX_LENGTH - pool.prefixLength)
      const network = pool.networkAddress + (fnv1a(subnetId) % blocks) * 2 ** (32 - DERIVED_PREFIX_LENGTH)
      return { zoneId: subnetId.toLowerCase(), subnet: `${formatIpv4(network)}/${DERIVED_PREFIX_LENGTH}` }
    },
    subnetIdFor(zone, prefix) {
      const listed = Object.entries(file.subnets).find(
        ([id, entry]) => id.startsWith(prefix) && entry.zoneId === zone.zoneId && entry.cidr === zone.subnet,
      )
      if (listed) return listed[0]
      return zone.zoneId.startsWith(prefix) ? zone.zoneId : `${prefix}${zone.zoneId}`
    },
  }
}

function parsePool(cidr: string): { networkAddress: number; prefixLength: number } {
  const [address, length] = cidr.split('/')
  const networkAddress = parseIpv4(address ?? '')
  const prefixLength = Number(length)
  if (
    networkAddress === undefined ||
    !Number.isInteger(prefixLength) ||
    prefixLength < 8 ||
    prefixLength > POOL_PREFIX_LENGTH_MAX ||
    networkAddress % 2 ** (32 - prefixLength) !== 0
  ) {
    throw new Error(`cloud catalog: subnetPool: "${cidr}" must be a network /8 to /${POOL_PREFIX_LENGTH_MAX}`)
  }
  return { networkAddress, prefixLength }
}

/** FNV-1a, 32 bits: a stable spread of ids over the pool; nothing here needs to be secret. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash
}
