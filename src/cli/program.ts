/** The `billow` command tree: global options and one registration per resource. */
import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { registerActivityCommands } from './commands/activities.ts'
import { registerAlarmCommands } from './commands/alarms.ts'
import { registerDatabaseCommands } from './commands/databases.ts'
import { registerGroupCommands } from './commands/groups.ts'
import { registerImageCommands } from './commands/images.ts'
import { registerInstanceTypeCommands } from './commands/instance-types.ts'
import { registerInstanceCommands } from './commands/instances.ts'
import { registerAccessKeyCommands } from './commands/keys.ts'
import { registerLaunchConfigurationCommands } from './commands/launch-configurations.ts'
import { registerLoadBalancerCommands } from './commands/load-balancers.ts'
import { registerMetricCommands } from './commands/metrics.ts'
import { registerRuleCommands } from './commands/rules.ts'
import { registerScheduleCommands } from './commands/schedule.ts'
import { registerServeCommand } from './commands/serve.ts'
import { registerSimulateCommand } from './commands/simulate.ts'
import { registerTokenCommands } from './commands/tokens.ts'
import type { CliContext } from './context.ts'

function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8')
  return (JSON.parse(text) as { version: string }).version
}

export function buildProgram(context: CliContext): Command {
  const program = new Command('billow')
    .description(
      'Billow: self-hosted Auto Scaling. Talks to the server found through --data, or BILLOW_URL/BILLOW_TOKEN.',
    )
    .version(packageVersion())
    .option('--data <dir>', 'data directory of the local server (default: BILLOW_DATA_DIR, else ~/.local/share/billow)')
    // Settings made before the subcommands exist are inherited by them: one exit path, one output.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.io.stdout.write(text),
      writeErr: (text) => context.io.stderr.write(text),
    })
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })

  registerServeCommand(program, context)
  registerImageCommands(program, context)
  registerInstanceTypeCommands(program, context)
  registerLaunchConfigurationCommands(program, context)
  registerGroupCommands(program, context)
  registerLoadBalancerCommands(program, context)
  registerDatabaseCommands(program, context)
  registerRuleCommands(program, context)
  registerScheduleCommands(program, context)
  registerAlarmCommands(program, context)
  registerMetricCommands(program, context)
  registerInstanceCommands(program, context)
  registerActivityCommands(program, context)
  registerTokenCommands(program, context)
  registerAccessKeyCommands(program, context)
  registerSimulateCommand(program, context)
  return program
}
