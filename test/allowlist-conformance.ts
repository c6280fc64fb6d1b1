/**
 * The shared suite every DatabaseAllowlist passes (STYLE.md habit 10). Each driver's test file
 * calls describeAllowlistConformance with a way to make a subject: the allowlist, an endpoint of a
 * real database the test started, and a way to connect to it as the client user from a chosen
 * source address, as an instance would. The suite checks what the database does — accept or
 * refuse a connection — and what list() reports, not which statements the driver sent.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { DatabaseEndpoint } from '../src/core/database.ts'
import { AllowlistError, type AllowlistErrorKind, type DatabaseAllowlist } from '../src/ports/database-allowlist.ts'

export type ConnectOutcome = 'accepted' | 'refused'

export interface AllowlistSubject {
  readonly allowlist: DatabaseAllowlist
  /** An endpoint of a running database whose client user exists and can log in. */
  readonly database: DatabaseEndpoint
  /** An endpoint of the same engine where nothing listens. */
  readonly unreachable: DatabaseEndpoint
  /** A source address this subject has never allowed (an instance's private IP, on loopback). */
  nextAddress(): string
  /**
   * Connects as the client user with the right password from `address`: 'refused' when the
   * allowlist turned it away; any other failure throws.
   */
  connectFrom(address: string): Promise<ConnectOutcome>
  /** Undoes what the test allowed and releases what the subject holds. */
  dispose(): Promise<void>
}

export interface AllowlistConformanceOptions {
  /** A fresh subject for one test. */
  readonly create: () => Promise<AllowlistSubject>
  /** Why the suite cannot run on this machine; the suite is then reported as skipped. */
  readonly skip?: string | undefined
}

/** Parallel changes in the concurrency test: enough to collide, few enough to stay quick. */
const CONCURRENT_CHANGES = 6

/** Asserts that `promise` rejects with an AllowlistError of `kind` (and a message matching `pattern`). */
export async function rejectsWith(
  kind: AllowlistErrorKind,
  promise: Promise<unknown>,
  pattern?: RegExp,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AllowlistError, `expected an AllowlistError, got ${String(error)}`)
    assert.equal(error.kind, kind, error.message)
    if (pattern) assert.match(error.message, pattern)
    return true
  })
}

const sorted = (addresses: readonly string[]): string[] => [...addresses].sort()

export function describeAllowlistConformance(name: string, options: AllowlistConformanceOptions): void {
  /** Runs `body` against a fresh subject and always disposes of it. */
  const withSubject = (body: (subject: AllowlistSubject) => Promise<void>) => async () => {
    const subject = await options.create()
    try {
      await body(subject)
    } finally {
      await subject.dispose()
    }
  }

  describe(`DatabaseAllowlist conformance: ${name}`, { skip: options.skip ?? false }, () => {
    test(
      'a connection from the address is refused before allow, accepted after, refused again after revoke',
      withSubject(async ({ allowlist, database, nextAddress, connectFrom }) => {
        const address = nextAddress()
        assert.equal(await connectFrom(address), 'refused', 'before allow')
        await allowlist.allow(database, address)
        assert.equal(await connectFrom(address), 'accepted', 'after allow')
        await allowlist.revoke(database, address)
        assert.equal(await connectFrom(address), 'refused', 'after revoke')
      }),
    )

    test(
      'allowing only opens the allowed address',
      withSubject(async ({ allowlist, database, nextAddress, connectFrom }) => {
        const allowed = nextAddress()
        const other = nextAddress()
        await allowlist.allow(database, allowed)
        assert.equal(await connectFrom(allowed), 'accepted')
        assert.equal(await connectFrom(other), 'refused')
        await allowlist.revoke(database, allowed)
      }),
    )

    test(
      'allow is idempotent: an address allowed twice is listed once and accepted',
      withSubject(async ({ allowlist, database, nextAddress, connectFrom }) => {
        const address = nextAddress()
        await allowlist.allow(database, address)
        await allowlist.allow(database, address)
        assert.deepEqual(
          (await allowlist.list(database)).filter((listed) => listed === address),
          [address],
        )
        assert.equal(await connectFrom(address), 'accepted')
      }),
    )

    test(
      'revoke is idempotent, and revoking an address never allowed resolves',
      withSubject(async ({ allowlist, database, nextAddress, connectFrom }) => {
        const address = nextAddress()
        await allowlist.revoke(database, nextAddress())
        await allowlist.allow(database, address)
        await allowlist.revoke(database, address)
        await allowlist.revoke(database, address)
        assert.ok(!(await allowlist.list(database)).includes(address))
        assert.equal(await connectFrom(address), 'refused')
      }),
    )

    test(
      'list shows exactly the allowed addresses; revoking one keeps the others',
      withSubject(async ({ allowlist, database, nextAddress, connectFrom }) => {
        const before = await allowlist.list(database)
        const [first, second, third] = [nextAddress(), nextAddress(), nextAddress()]
        for (const address of [first, second, third]) await allowlist.allow(database, address)
        assert.deepEqual(sorted(await allowlist.list(database)), sorted([...before, first, second, third]))
        await allowlist.revoke(database, second)
        assert.deepEqual(sorted(await allowlist.list(database)), sorted([...before, first, third]))
        assert.equal(await connectFrom(first), 'accepted')
        assert.equal(await connectFrom(second), 'refused')
        assert.equal(await connectFrom(third), 'accepted')
      }),
    )

    test(
      'list is per client user: addresses allowed for one user are not listed for another',
      withSubject(async ({ allowlist, database, nextAddress }) => {
        const address = nextAddress()
        await allowlist.allow(database, address)
        const otherUser = { ...database, clientUser: `${database.clientUser}_other` }
        assert.ok(!(await allowlist.list(otherUser)).includes(address))
        assert.ok((await allowlist.list(database)).includes(address))
      }),
    )

    test(
      'concurrent changes all take effect',
      withSubject(async ({ allowlist, database, nextAddress, connectFrom }) => {
        const addresses = Array.from({ length: CONCURRENT_CHANGES }, () => nextAddress())
        await Promise.all(addresses.map((address) => allowlist.allow(database, address)))
        const listed = await allowlist.list(database)
        for (const address of addresses) assert.ok(listed.includes(address), `${address} is listed`)
        const [kept, ...revoked] = addresses as [string, ...string[]]
        await Promise.all(revoked.map((address) => allowlist.revoke(database, address)))
        const remaining = await allowlist.list(database)
        assert.ok(remaining.includes(kept))
        for (const address of revoked) assert.ok(!remaining.includes(address), `${address} is revoked`)
        assert.equal(await connectFrom(kept), 'accepted')
      }),
    )

    test(
      'a server nobody answers on is Unreachable, for every method',
      withSubject(async ({ allowlist, unreachable, nextAddress }) => {
        const address = nextAddress()
        await rejectsWith('Unreachable', allowlist.allow(unreachable, address))
        await rejectsWith('Unreachable', allowlist.revoke(unreachable, address))
        await rejectsWith('Unreachable', allowlist.list(unreachable))
      }),
    )

    test(
      'wrong admin credentials are Unreachable, and nothing changes',
      withSubject(async ({ allowlist, database, nextAddress, connectFrom }) => {
        const address = nextAddress()
        const badPassword = { ...database, adminPassword: `${database.adminPassword}-wrong` }
        await rejectsWith('Unreachable', allowlist.allow(badPassword, address))
        assert.ok(!(await allowlist.list(database)).includes(address))
        assert.equal(await connectFrom(address), 'refused')
      }),
    )
  })
}
