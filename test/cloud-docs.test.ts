/**
 * docs/api-ess.md and docs/api-tencent.md name every action the dialects serve and every field
 * each action takes (supported or accepted and ignored), so the pages cannot fall behind the code.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import type { z } from 'zod'
import { ESS_ACTIONS } from '../src/api/ess/handler.ts'
import { TENCENT_ACTIONS } from '../src/api/tencent/handler.ts'

const page = (name: string) => readFileSync(new URL(`../docs/${name}`, import.meta.url), 'utf8')
const fieldsOf = (schema: z.ZodType): string[] => Object.keys((schema as unknown as { shape: object }).shape)

for (const [file, actions] of [
  ['api-ess.md', ESS_ACTIONS],
  ['api-tencent.md', TENCENT_ACTIONS],
] as const) {
  test(`${file} documents every action and field`, () => {
    const text = page(file)
    const missing = actions.flatMap((action) =>
      [action.name, ...fieldsOf(action.params)]
        .filter((word) => !new RegExp(`\\b${word}\\b`).test(text))
        .map((word) => `${action.name}: ${word}`),
    )
    assert.deepEqual(missing, [])
  })
}
