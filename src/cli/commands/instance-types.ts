/** `billow instance-types`: the vCPU and memory sizes a launch configuration can ask for. */
import type { Command } from 'commander'
import { API_PATHS } from '../api-paths.ts'
import type { InstanceTypeView } from '../api-types.ts'
import type { CliContext } from '../context.ts'
import { formatBytes, renderTable } from '../table.ts'

export function registerInstanceTypeCommands(program: Command, context: CliContext): void {
  program
    .command('instance-types')
    .description('list instance types (vCPU and memory)')
    .option('--json', 'print the raw JSON response')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const body = await context.client(command).get<{ instanceTypes: InstanceTypeView[] }>(API_PATHS.instanceTypes)
      context.output(flags.json, body, () =>
        renderTable(
          ['name', 'vcpu', 'memory'],
          body.instanceTypes.map((type) => [type.name, type.vcpu, formatBytes(type.memoryBytes)]),
        ),
      )
    })
}
