/**
 * The accounts the MySQL allowlist works with, and the rules that keep it to its own: the
 * template `'<clientUser>'@'localhost'` that an administrator creates, and one copy of it per
 * allowed address, `'<clientUser>'@'<address>'`. MariaDB has no comment or attribute on an
 * account to mark it as Billow's, so the host is the mark: an account of the client user whose
 * host is a literal IPv4 address belongs to the allowlist; hosts with wildcards (`10.0.0.%`),
 * netmasks, names, IPv6 and `localhost` are never listed, changed or dropped.
 */
import { isIPv4, isIPv6 } from 'node:net'
import { AllowlistError } from '../../ports/database-allowlist.ts'

export interface Account {
  readonly user: string
  readonly host: string
}

/** The host of the template account whose authentication and grants every copy gets. */
export const TEMPLATE_HOST = 'localhost'

/** The longest user name Billow manages, in characters (MariaDB's limit; MySQL's is 32). */
export const USER_NAME_CHARS_MAX = 128

/**
 * Characters a client user name may not hold: control characters, and the quotes and backslash
 * whose meaning in a string literal depends on the server's sql_mode (NO_BACKSLASH_ESCAPES).
 */
const UNSAFE_NAME = /[\p{Cc}'"`\\]/u

/** Throws Misconfigured unless `user` is a name Billow can spell safely in every statement. */
export function checkClientUser(user: string): void {
  if (user.length === 0 || user.length > USER_NAME_CHARS_MAX || UNSAFE_NAME.test(user))
    throw new AllowlistError(
      `the client user name ${JSON.stringify(user)} cannot be managed: it must have 1 to ${USER_NAME_CHARS_MAX} characters and no quote, backslash or control character`,
      'Misconfigured',
    )
}

/**
 * Throws Misconfigured for an address the allowlist cannot hold. An IPv6 address is a real
 * address (not a bug) that this driver does not manage: its accounts are IPv4-only.
 */
export function checkAllowlistAddress(address: string): void {
  if (isIPv6(address))
    throw new AllowlistError(
      `the MySQL allowlist holds IPv4 addresses only; ${address} is IPv6 (allow its IPv4 address instead)`,
      'Misconfigured',
    )
}

/**
 * True for a host the allowlist owns: a literal IPv4 address. Node's isIPv4 refuses leading
 * zeros, so one address has one spelling and `127.071.0.1` is never taken for `127.71.0.1`.
 */
export const isAllowlistHost = (host: string): boolean => isIPv4(host)

/** A name in backquotes, as the server prints it in SHOW CREATE USER and SHOW GRANTS. */
const quoteName = (name: string): string => `\`${name.replaceAll('`', '``')}\``

/** `user`@`host`, spelled exactly as the server prints the account. */
export const quoteAccount = (account: Account): string => `${quoteName(account.user)}@${quoteName(account.host)}`

/** The account as people write it in messages and docs: 'user'@'host'. */
export const describeAccount = (account: Account): string => `'${account.user}'@'${account.host}'`
