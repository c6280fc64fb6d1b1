/**
 * Entry point of the `billow` CLI: parse, run one command, and map what went wrong to an exit
 * code: 0 done, 1 the server refused or could not be reached (or a waited-for activity failed),
 * 2 the command line was wrong.
 */
import { CommanderError } from 'commander'
import { CliContext, type CliIo, processIo } from './context.ts'
import { ApiError, ConnectionError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './errors.ts'
import { buildProgram } from './program.ts'

/** Runs the CLI with `argv` as process.argv gives it (node, script, args…); resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const context = new CliContext(io)
  try {
    await buildProgram(context).parseAsync([...argv])
    return context.exitCode
  } catch (error) {
    return reportError(error, context)
  }
}

function reportError(error: unknown, context: CliContext): number {
  if (error instanceof CommanderError) {
    // Commander has printed its message (or the help) already.
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE
  }
  if (error instanceof UsageError) {
    context.warn(`error: ${error.message}`)
    return EXIT_USAGE
  }
  if (error instanceof ApiError) {
    const field = error.field ? ` (field: ${error.field})` : ''
    context.warn(`error ${error.code}: ${error.message}${field}`)
    return EXIT_FAILURE
  }
  if (error instanceof ConnectionError) {
    context.warn(`error: ${error.message}`)
    return EXIT_FAILURE
  }
  // Anything else is a bug in the CLI or a broken answer; BILLOW_DEBUG shows where.
  const message = error instanceof Error ? error.message : String(error)
  context.warn(`error: ${message}`)
  if (context.io.env.BILLOW_DEBUG && error instanceof Error && error.stack) context.warn(error.stack)
  return EXIT_FAILURE
}
