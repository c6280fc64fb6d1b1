/**
 * IPv4 subnets that zones hand addresses out of. With the process provider they are loopback
 * ranges (127.20.1.0/24 for zone a): every address of 127.0.0.0/8 is bindable on Linux, so each
 * instance gets an address of its own and every instance can use the same application port.
 */
export interface Subnet {
  readonly networkAddress: number
  readonly prefixLength: number
}

/** The smallest subnet a zone may have: /30 leaves two usable addresses. */
export const PREFIX_LENGTH_MAX = 30
/** The largest: a /16 is 65,534 instances, far past any group's max size. */
export const PREFIX_LENGTH_MIN = 16

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/

export function parseIpv4(address: string): number | undefined {
  const parts = address.split('.')
  if (parts.length !== 4) return undefined
  let value = 0
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined
    const octet = Number(part)
    if (octet > 255) return undefined
    value = value * 256 + octet
  }
  return value
}

export const formatIpv4 = (value: number): string =>
  [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.')

/** Parses `a.b.c.d/n`; returns a reason instead of a subnet when the text is not one we accept. */
export function parseSubnet(cidr: string): Subnet | string {
  const match = CIDR_PATTERN.exec(cidr)
  if (!match) return `"${cidr}" is not an IPv4 CIDR such as 127.20.1.0/24`
  const prefixLength = Number(match[5])
  const address = parseIpv4(cidr.slice(0, cidr.indexOf('/')))
  if (address === undefined) return `"${cidr}" has an octet above 255`
  if (prefixLength < PREFIX_LENGTH_MIN || prefixLength > PREFIX_LENGTH_MAX) {
    return `prefix length must be between /${PREFIX_LENGTH_MIN} and /${PREFIX_LENGTH_MAX}`
  }
  const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0
  if ((address & mask) >>> 0 !== address)
    return `"${cidr}" has host bits set; the network is ${formatIpv4((address & mask) >>> 0)}/${prefixLength}`
  return { networkAddress: address, prefixLength }
}

export const subnetContains = (subnet: Subnet, address: number): boolean =>
  address >= subnet.networkAddress && address < subnet.networkAddress + 2 ** (32 - subnet.prefixLength)

export const subnetsOverlap = (a: Subnet, b: Subnet): boolean =>
  subnetContains(a, b.networkAddress) || subnetContains(b, a.networkAddress)

/**
 * The lowest free host address, skipping the network address, the first host (the clouds keep
 * it for the gateway) and the broadcast address. Undefined when the subnet is full.
 */
export function allocateAddress(subnet: Subnet, inUse: ReadonlySet<string>): string | undefined {
  const size = 2 ** (32 - subnet.prefixLength)
  for (let offset = 2; offset < size - 1; offset += 1) {
    const candidate = formatIpv4(subnet.networkAddress + offset)
    if (!inUse.has(candidate)) return candidate
  }
  return undefined
}
