/**
 * `billow serve`: runs the server in this process. The server module is imported only here, so
 * that every other command starts fast and never opens the store.
 */
import type { Command } from 'commander'
import { DEFAULT_HOST, DEFAULT_PORT, defaultDataDir } from '../../config.ts'
import { parseInteger } from '../args.ts'
import type { CliContext } from '../context.ts'
import { UsageError } from '../errors.ts'
import { integerArgument } from '../option-parsers.ts'

const HIGHEST_PORT = 65_535

interface ServeFlags {
  readonly host?: string
  readonly port?: number
  readonly demo?: boolean
}

export function registerServeCommand(program: Command, context: CliContext): void {
  program
    .command('serve')
    .description('run the Billow server (API and scaling engine) until Ctrl-C')
    .option('--host <host>', `address to listen on (env BILLOW_HOST, default ${DEFAULT_HOST})`)
    .option(
      '--port <port>',
      `port to listen on, 0 for any free one (env BILLOW_PORT, default ${DEFAULT_PORT})`,
      integerArgument('--port'),
    )
    .option('--demo', 'also create a demo image, launch configuration and group')
    .action(async (flags: ServeFlags, command: Command) => {
      const { env } = context.io
      const host = flags.host ?? (env.BILLOW_HOST || DEFAULT_HOST)
      const port =
        flags.port ?? (env.BILLOW_PORT ? parseInteger(env.BILLOW_PORT, 'BILLOW_PORT', { min: 0 }) : DEFAULT_PORT)
      if (port > HIGHEST_PORT) throw new UsageError(`port ${port} is above ${HIGHEST_PORT}`)
      const dataDir = context.dataDir(command)
      const { startServer } = await import('../../main.ts')
      const server = await startServer({
        host,
        port,
        dataDir,
        demo: Boolean(flags.demo),
        log: (line) => context.print(line),
      })
      const findHint =
        dataDir === defaultDataDir(env)
          ? 'the billow CLI on this machine finds this server by itself (no BILLOW_URL needed)'
          : `the billow CLI finds this server with \`--data ${dataDir}\` or BILLOW_DATA_DIR=${dataDir} (no BILLOW_URL needed)`
      context.print(
        [
          `Billow API: ${server.url}`,
          `admin token: ${server.adminTokenPath}`,
          `data directory: ${dataDir}`,
          findHint,
          `from elsewhere: export BILLOW_URL=${server.url} BILLOW_TOKEN=<the admin token>`,
          'Ctrl-C stops the server; instances keep running and are adopted at the next start.',
        ].join('\n'),
      )
      await untilShutdownSignal(context)
      await server.close()
      // Instances are detached processes of their own; nothing here should keep the server alive.
      process.exit(0)
    })
}

/** Resolves at the first SIGINT or SIGTERM; a second one while closing ends the process at once. */
function untilShutdownSignal(context: CliContext): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      context.print(`${signal}: closing the server (again to force)`)
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      process.once('SIGINT', forceExit)
      process.once('SIGTERM', forceExit)
      resolve()
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  })
}

function forceExit(): never {
  process.exit(1)
}
