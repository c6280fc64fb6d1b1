import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AllowlistError } from '../../ports/database-allowlist.ts'
import type { Account } from './account.ts'
import { checkCopyableTemplate, parseAccountDefinition, planCopy } from './account-definition.ts'

const template: Account = { user: 'app', host: 'localhost' }
const target: Account = { user: 'app', host: '127.71.1.5' }
const HASH = "'*14E65567ABDB5135D0CFD9A70B3032C179A49EE7'"

/** What MariaDB 10.11 prints for a template with a role, a column grant, limits and expiry. */
const printed = {
  createUser: `CREATE USER \`app\`@\`localhost\` IDENTIFIED BY PASSWORD ${HASH} WITH MAX_USER_CONNECTIONS 7 PASSWORD EXPIRE INTERVAL 30 DAY`,
  grants: [
    'GRANT `reader` TO `app`@`localhost`',
    `GRANT USAGE ON *.* TO \`app\`@\`localhost\` IDENTIFIED BY PASSWORD ${HASH} WITH MAX_USER_CONNECTIONS 7`,
    'GRANT SELECT, INSERT ON `appdb`.* TO `app`@`localhost`',
    'GRANT UPDATE (`a`) ON `appdb`.`t` TO `app`@`localhost` WITH GRANT OPTION',
    'SET DEFAULT ROLE `reader` FOR `app`@`localhost`',
  ],
}

const restated = (account: Account, lines: readonly string[]): string[] =>
  lines.map((line) => line.replaceAll('`app`@`localhost`', `\`${account.user}\`@\`${account.host}\``))

const parsedTemplate = () => parseAccountDefinition(template, printed.createUser, printed.grants)

test('a new copy is CREATE USER with the template options, then every grant but USAGE, in order', () => {
  assert.deepEqual(planCopy(parsedTemplate(), undefined, target), [
    `CREATE USER \`app\`@\`127.71.1.5\` IDENTIFIED BY PASSWORD ${HASH} WITH MAX_USER_CONNECTIONS 7 PASSWORD EXPIRE INTERVAL 30 DAY`,
    'GRANT `reader` TO `app`@`127.71.1.5`',
    'GRANT SELECT, INSERT ON `appdb`.* TO `app`@`127.71.1.5`',
    'GRANT UPDATE (`a`) ON `appdb`.`t` TO `app`@`127.71.1.5` WITH GRANT OPTION',
    'SET DEFAULT ROLE `reader` FOR `app`@`127.71.1.5`',
  ])
})

test('a copy that already matches needs no statement', () => {
  const current = parseAccountDefinition(target, ...restatedPrinted(target))
  assert.deepEqual(planCopy(parsedTemplate(), current, target), [])
})

test('a copy behind the template gets ALTER USER and the grants it lacks, and keeps extra ones', () => {
  const [createUser, grants] = restatedPrinted(target)
  const oldPassword = createUser.replace(HASH, "'*0000000000000000000000000000000000000000'")
  const fewerGrants = [
    ...grants.filter((line) => !line.startsWith('GRANT SELECT')),
    'GRANT DELETE ON `x`.* TO `app`@`127.71.1.5`',
  ]
  const current = parseAccountDefinition(target, oldPassword, fewerGrants)
  assert.deepEqual(planCopy(parsedTemplate(), current, target), [
    `ALTER USER \`app\`@\`127.71.1.5\` IDENTIFIED BY PASSWORD ${HASH} WITH MAX_USER_CONNECTIONS 7 PASSWORD EXPIRE INTERVAL 30 DAY`,
    'GRANT SELECT, INSERT ON `appdb`.* TO `app`@`127.71.1.5`',
  ])
})

test('a name with a backquote is matched and written as the server spells it', () => {
  const odd: Account = { user: 'a`b', host: 'localhost' }
  const definition = parseAccountDefinition(odd, "CREATE USER `a``b`@`localhost` IDENTIFIED BY PASSWORD '*1'", [
    'GRANT SELECT ON `d`.* TO `a``b`@`localhost`',
  ])
  assert.deepEqual(planCopy(definition, undefined, { user: 'a`b', host: '10.0.0.1' }), [
    "CREATE USER `a``b`@`10.0.0.1` IDENTIFIED BY PASSWORD '*1'",
    'GRANT SELECT ON `d`.* TO `a``b`@`10.0.0.1`',
  ])
})

test('output of a shape Billow does not know is Misconfigured, naming the line', () => {
  const unknown: ReadonlyArray<readonly [string, readonly string[]]> = [
    ["CREATE USER `other`@`localhost` IDENTIFIED BY PASSWORD '*1'", []],
    ['CREATE USER `app`@`localhostx`', []],
    [printed.createUser, ['REVOKE SELECT ON *.* FROM `app`@`localhost`']],
    [printed.createUser, ['GRANT SELECT ON `d`.* TO `app`@`localhost`, `app`@`localhost`']],
    [printed.createUser, ['GRANT PROXY ON `x`@`%` TO `other`@`localhost`']],
    [printed.createUser, ['SET DEFAULT ROLE `r` FOR `other`@`localhost`']],
  ]
  for (const [createUser, grants] of unknown)
    assert.throws(
      () => parseAccountDefinition(template, createUser, grants),
      (error: unknown) =>
        error instanceof AllowlistError && error.kind === 'Misconfigured' && /cannot copy/.test(error.message),
      `${createUser} / ${grants.join(' / ')}`,
    )
})

test('a template without a password, or with socket authentication only, cannot be copied', () => {
  const refused = [
    'CREATE USER `app`@`localhost`',
    'CREATE USER `app`@`localhost` REQUIRE SSL',
    'CREATE USER `app`@`localhost` IDENTIFIED VIA unix_socket',
    'CREATE USER `app`@`localhost` IDENTIFIED VIA unix_socket REQUIRE SSL',
  ]
  for (const createUser of refused)
    assert.throws(
      () => checkCopyableTemplate(parseAccountDefinition(template, createUser, []), template),
      (error: unknown) => error instanceof AllowlistError && error.kind === 'Misconfigured',
      createUser,
    )
  const accepted = [
    printed.createUser,
    `CREATE USER \`app\`@\`localhost\` IDENTIFIED VIA unix_socket OR mysql_native_password USING ${HASH}`,
    "CREATE USER `app`@`localhost` IDENTIFIED VIA ed25519 USING 'pnV9oAzY0bDKxwF6C9NW31QT4rJ8fCBNYjwPm3NcOTk'",
  ]
  for (const createUser of accepted) checkCopyableTemplate(parseAccountDefinition(template, createUser, []), template)
})

function restatedPrinted(account: Account): [string, string[]] {
  const [createUser, ...grants] = restated(account, [printed.createUser, ...printed.grants])
  assert.ok(createUser !== undefined)
  return [createUser, grants]
}
