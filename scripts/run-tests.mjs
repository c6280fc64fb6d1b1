#!/usr/bin/env node
// Runs every *.test.ts under src/, test/ and sim/ with node's own test runner (TypeScript through
// tsx). Node 20's runner takes no glob, so the files are gathered here. Extra arguments pass
// through: `npm run test:unit -- src/core` runs only the tests under those paths.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'))
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'))

function collect(path, out) {
  let stat
  try {
    stat = statSync(path)
  } catch {
    return out
  }
  if (stat.isFile()) {
    if (path.endsWith('.test.ts')) out.push(path)
    return out
  }
  for (const entry of readdirSync(path).sort()) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue
    collect(join(path, entry), out)
  }
  return out
}

const files = (roots.length > 0 ? roots : ['src', 'test', 'sim']).flatMap((root) => collect(root, []))
if (files.length === 0) {
  console.error('no test files found')
  process.exit(1)
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...flags, ...files],
  { stdio: 'inherit' },
)
process.exit(result.status ?? 1)
