/** Reads a scenario file (YAML, or JSON which YAML also reads) and validates it; errors name the field. */
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { type Scenario, scenarioSchema } from './schema.ts'

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError'
}

export function parseScenario(text: string, origin: string): Scenario {
  let raw: unknown
  try {
    raw = parse(text)
  } catch (error) {
    throw new ScenarioError(`${origin}: not YAML or JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  const result = scenarioSchema.safeParse(raw)
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(top)'}: ${issue.message}`)
    throw new ScenarioError(`${origin}: invalid scenario\n${problems.join('\n')}`)
  }
  return result.data
}

export const loadScenario = (path: string): Scenario => parseScenario(readFileSync(path, 'utf8'), path)
