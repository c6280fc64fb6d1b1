/**
 * `billow simulate SCENARIO`: runs a scenario file on the virtual clock in this process (no
 * server) with the real engine, and writes a JSON report and an HTML page with charts. The
 * simulator lives in sim/ and is imported only here, dynamically, so other commands start fast.
 */
import { resolve } from 'node:path'
import type { Command } from 'commander'
import type { CliContext } from '../context.ts'
import { UsageError } from '../errors.ts'
import { integerArgument } from '../option-parsers.ts'

interface SimulateFlags {
  readonly out?: string
  readonly compare?: number
  readonly svg?: boolean
}

export function registerSimulateCommand(program: Command, context: CliContext): void {
  program
    .command('simulate')
    .description('run a scenario (YAML or JSON) on a virtual clock and write a report (docs/simulation.md)')
    .argument('<scenario>', 'scenario file')
    .option('--out <dir>', 'directory for report.json and report.html (default: ./simulation-<scenario name>)')
    .option(
      '--compare <cpuPercent>',
      'also run the Kubernetes HPA and cloud target-tracking baselines at this CPU target',
      integerArgument('--compare', 1),
    )
    .option('--svg', 'also write one SVG chart (instances against demand) per policy')
    .action(async (scenario: string, flags: SimulateFlags) => {
      const { runSimulation } = await import('../../../sim/run-simulation.ts')
      const scenarioPath = resolve(context.io.cwd, scenario)
      const base =
        scenario
          .split('/')
          .at(-1)
          ?.replace(/\.(ya?ml|json)$/, '') ?? 'scenario'
      const outDirectory = resolve(context.io.cwd, flags.out ?? `simulation-${base}`)
      try {
        const { summary, files } = await runSimulation({
          scenarioPath,
          outDirectory,
          ...(flags.compare === undefined ? {} : { compareAtCpuPercent: flags.compare }),
          svg: Boolean(flags.svg),
        })
        context.print(summary)
        context.print(files.map((file) => `wrote ${file}`).join('\n'))
      } catch (error) {
        if (
          error instanceof Error &&
          (error.name === 'ScenarioError' || ('code' in error && error.code === 'ENOENT'))
        ) {
          throw new UsageError(error.message)
        }
        throw error
      }
    })
}
