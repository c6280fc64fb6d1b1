#!/usr/bin/env node
// The `billow` executable. TypeScript runs through tsx, registered here so that `npx billow`,
// an `npm link`ed copy and `node bin/billow.mjs` all work from any directory; the path to the
// sources is relative to this file, which node resolves through symlinks.
import { register } from 'tsx/esm/api'

register()
const { run } = await import('../src/cli/main.ts')
// exitCode rather than exit(): stdout may still be draining into a pipe.
process.exitCode = await run(process.argv)
