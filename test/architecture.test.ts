/**
 * The layering rules, checked on the sources' import specifiers (static, dynamic and type
 * imports alike, read with the TypeScript parser):
 *
 *   src/core      imports only src/core: no node: modules, no packages (but the pure ones of
 *                 CORE_PACKAGES); no clock or randomness
 *   src/ports     imports only core and ports
 *   src/engine    imports only core, ports and engine
 *   adapters      (store, providers, probe, clock, ids, log) import core, ports, their own folder,
 *                 node: modules and packages; never engine, service or api
 *   src/service   imports no adapter
 *   concrete adapters are imported only by the composition root, src/main.ts, and src/main.ts
 *   only by `billow serve` (src/cli/commands/serve.ts), through a dynamic import
 *
 * Test files (*.test.ts) and test support are not production code and are not checked.
 * A failure lists every violation with its file and line.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const REPOSITORY = fileURLToPath(new URL('../', import.meta.url))
const SOURCE = join(REPOSITORY, 'src')

/**
 * Packages core may use: pure computation, no I/O, no clock read when given the time. croner
 * matches cron expressions (core/schedule/cron-expression.ts never gives it a job to run).
 */
const CORE_PACKAGES: readonly string[] = ['croner']
const ADAPTER_FOLDERS = [
  'store',
  'providers',
  'probe',
  'clock',
  'ids',
  'log',
  'balancers',
  'allowlists',
  'secrets',
  'metrics',
] as const
const COMPOSITION_ROOT = 'main.ts'
const SERVE_COMMAND = 'cli/commands/serve.ts'
/** `billow simulate` composes the virtual world (sim/), the way serve composes the real one: dynamically, and only it. */
const SIMULATE_COMMAND = 'cli/commands/simulate.ts'
/** Files that exist for tests only, though they live next to the code they test. */
const TEST_SUPPORT = /(\.test\.ts|-test-support\.ts)$/

interface ImportSite {
  /** The file, relative to src/, with forward slashes. */
  readonly file: string
  readonly line: number
  readonly specifier: string
  readonly dynamic: boolean
  /** For a relative specifier: the target relative to src/ (or `../x` when outside src); else undefined. */
  readonly target: string | undefined
}

interface Violation {
  readonly file: string
  readonly line: number
  readonly message: string
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(directory, entry.name)
      if (entry.isDirectory()) return sourceFiles(path)
      return entry.name.endsWith('.ts') && !TEST_SUPPORT.test(entry.name) ? [path] : []
    })
    .sort()
}

const toPosix = (path: string) => path.split(sep).join('/')

function importsOf(path: string, text: string): ImportSite[] {
  const file = toPosix(relative(SOURCE, path))
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const sites: ImportSite[] = []
  const add = (node: ts.Node, literal: ts.Expression | undefined, dynamic: boolean) => {
    if (!literal || !ts.isStringLiteralLike(literal)) return
    const specifier = literal.text
    const target = specifier.startsWith('.') ? toPosix(relative(SOURCE, resolve(dirname(path), specifier))) : undefined
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1
    sites.push({ file, line, specifier, dynamic, target })
  }
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node, node.moduleSpecifier, false)
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference))
      add(node, node.moduleReference.expression, false)
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      add(node, node.arguments[0], true)
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal, false)
    ts.forEachChild(node, visit)
  }
  visit(source)
  return sites
}

/** The first folder of a path relative to src/ ('core', 'engine', …), or the file name for top-level files. */
const layerOf = (pathInSource: string): string => pathInSource.split('/')[0] ?? ''
const isAdapterLayer = (layer: string): boolean => (ADAPTER_FOLDERS as readonly string[]).includes(layer)

/** What a site imports: a src/ layer, a node: module, a package, or something outside src/. */
function kindOf(site: ImportSite): { kind: 'layer'; layer: string } | { kind: 'node' | 'package' | 'outside' } {
  if (site.target === undefined) return { kind: site.specifier.startsWith('node:') ? 'node' : 'package' }
  if (site.target.startsWith('../')) return { kind: 'outside' }
  return { kind: 'layer', layer: layerOf(site.target) }
}

function checkImport(site: ImportSite): string | undefined {
  const from = layerOf(site.file)
  const what = kindOf(site)
  const targetLayer = what.kind === 'layer' ? what.layer : undefined
  const describe = `imports ${site.specifier}`
  if (what.kind === 'outside') {
    if (site.file === SIMULATE_COMMAND && site.dynamic && site.target?.startsWith('../sim/')) return undefined
    return `${describe}: production code imports nothing outside src/`
  }
  if (targetLayer === COMPOSITION_ROOT) {
    if (site.file === SERVE_COMMAND && site.dynamic) return undefined
    return `${describe}: only ${SERVE_COMMAND} loads the composition root, and only through a dynamic import`
  }
  if (from === 'core') {
    if (what.kind === 'package' && CORE_PACKAGES.includes(site.specifier)) return undefined
    if (targetLayer !== 'core') return `${describe}: src/core imports only src/core`
    return undefined
  }
  if (from === 'ports') {
    if (targetLayer !== 'core' && targetLayer !== 'ports') return `${describe}: src/ports imports only core and ports`
    return undefined
  }
  if (from === 'engine') {
    if (targetLayer !== 'core' && targetLayer !== 'ports' && targetLayer !== 'engine')
      return `${describe}: src/engine imports only core, ports and engine`
    return undefined
  }
  if (isAdapterLayer(from)) {
    if (what.kind === 'node' || what.kind === 'package') return undefined
    if (targetLayer !== 'core' && targetLayer !== 'ports' && targetLayer !== from)
      return `${describe}: an adapter (src/${from}) imports only core, ports and its own folder`
    return undefined
  }
  if (targetLayer !== undefined && isAdapterLayer(targetLayer) && site.file !== COMPOSITION_ROOT) {
    return from === 'service'
      ? `${describe}: src/service does not import adapters`
      : `${describe}: only the composition root (src/${COMPOSITION_ROOT}) imports concrete adapters`
  }
  return undefined
}

/** Ambient time, randomness and timers: core takes them as inputs instead. */
const CORE_FORBIDDEN_CALLS = ['Date.now(', 'Math.random(', 'setTimeout(', 'setInterval(', 'new Date()']

function forbiddenCallsInCore(site: { file: string; text: string }): Violation[] {
  const violations: Violation[] = []
  site.text.split('\n').forEach((raw, index) => {
    const code = raw.replace(/\/\/.*$/, '').trim()
    if (code.startsWith('*') || code.startsWith('/*')) return
    for (const call of CORE_FORBIDDEN_CALLS) {
      if (code.includes(call))
        violations.push({ file: site.file, line: index + 1, message: `calls ${call}…): core is pure, pass it in` })
    }
  })
  return violations
}

const files = sourceFiles(SOURCE).map((path) => {
  const text = readFileSync(path, 'utf8')
  return { path, file: toPosix(relative(SOURCE, path)), text, imports: importsOf(path, text) }
})

const report = (violations: readonly Violation[]) =>
  violations.map((violation) => `src/${violation.file}:${violation.line} ${violation.message}`).join('\n')

test('the sources are found and parsed', () => {
  assert.ok(files.length > 20, `found ${files.length} source files under src/`)
  assert.ok(files.some((file) => file.file === COMPOSITION_ROOT && file.imports.length > 5))
  const serve = files.find((file) => file.file === SERVE_COMMAND)
  assert.ok(serve?.imports.some((site) => site.dynamic && site.target === COMPOSITION_ROOT))
})

test('every import follows the layering rules', () => {
  const violations = files.flatMap(({ imports }) =>
    imports.flatMap((site) => {
      const message = checkImport(site)
      return message === undefined ? [] : [{ file: site.file, line: site.line, message }]
    }),
  )
  assert.equal(violations.length, 0, `layering violations:\n${report(violations)}`)
})

test('src/core reads no clock, randomness or timers of its own', () => {
  const violations = files.filter((file) => layerOf(file.file) === 'core').flatMap(forbiddenCallsInCore)
  assert.equal(violations.length, 0, `core purity violations:\n${report(violations)}`)
})

test('the checker itself catches what it should', () => {
  const site = (file: string, specifier: string, dynamic = false): ImportSite => ({
    file,
    line: 1,
    specifier,
    dynamic,
    target: specifier.startsWith('.')
      ? toPosix(relative(SOURCE, resolve(dirname(join(SOURCE, file)), specifier)))
      : undefined,
  })
  const refused: ImportSite[] = [
    site('core/plan.ts', 'node:fs'),
    site('core/plan.ts', 'zod'),
    site('core/plan.ts', '../ports/store.ts'),
    site('ports/store.ts', '../engine/engine.ts'),
    site('engine/engine.ts', '../service/groups.ts'),
    site('engine/engine.ts', '../store/sqlite/sqlite-store.ts'),
    site('engine/engine.ts', 'node:fs'),
    site('store/sqlite/sqlite-store.ts', '../../engine/engine.ts'),
    site('providers/process/process-provider.ts', '../../service/services.ts'),
    site('probe/http-probe.ts', '../api/rest/app.ts'),
    site('probe/http-probe.ts', '../clock/system.ts'),
    site('service/groups.ts', '../providers/process/process-provider.ts'),
    site('api/rest/app.ts', '../../store/sqlite/sqlite-store.ts'),
    site('cli/commands/serve.ts', '../../main.ts'),
    site('cli/commands/groups.ts', '../../main.ts', true),
    site('demo.ts', '../sim/world.ts'),
  ]
  for (const bad of refused) assert.ok(checkImport(bad), `${bad.file} → ${bad.specifier} is refused`)
  const allowed: ImportSite[] = [
    site('core/plan.ts', './types.ts'),
    site('core/schedule/cron-expression.ts', 'croner'),
    site('engine/engine.ts', '../ports/provider.ts'),
    site('store/sqlite/sqlite-store.ts', 'kysely'),
    site('providers/process/process-provider.ts', 'node:child_process'),
    site('providers/process/process-provider.ts', '../../core/errors.ts'),
    site('main.ts', './store/sqlite/sqlite-store.ts'),
    site('cli/commands/serve.ts', '../../main.ts', true),
  ]
  for (const good of allowed) assert.equal(checkImport(good), undefined, `${good.file} → ${good.specifier} is allowed`)
  assert.equal(forbiddenCallsInCore({ file: 'core/x.ts', text: 'const t = Date.now()' }).length, 1)
  assert.equal(forbiddenCallsInCore({ file: 'core/x.ts', text: '// not Date.now() here' }).length, 0)
})
