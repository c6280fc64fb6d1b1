/** `billow images`: register what instances run (a directory and a command), list, remove. */
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { API_PATHS, itemPath } from '../api-paths.ts'
import type { Image } from '../api-types.ts'
import { splitCommand } from '../args.ts'
import type { CliContext } from '../context.ts'
import { renderFields, renderTable } from '../table.ts'
import { formatAge, formatTimeWithAge } from '../time-format.ts'

interface RegisterFlags {
  readonly name: string
  readonly dir: string
  readonly command: string
  readonly healthPath?: string
  readonly json?: boolean
}

/** Shows argv the way a user would type it back, quoting words with blanks. */
export const formatArgv = (argv: readonly string[]): string =>
  argv.map((word) => (/[\s'"]/.test(word) || word === '' ? JSON.stringify(word) : word)).join(' ')

export function registerImageCommands(program: Command, context: CliContext): void {
  const images = program.command('images').description('images: what an instance runs (a directory and a command)')

  images
    .command('register')
    .description('register a directory and the command that starts the application in it')
    .requiredOption('--name <name>', 'image name')
    .requiredOption('--dir <directory>', 'directory the command runs in (made absolute here)')
    .requiredOption('--command <command>', 'command line, split on blanks; quotes group words ("node server.mjs")')
    .option('--health-path <path>', 'HTTP path that answers 2xx once the application is ready')
    .option('--json', 'print the raw JSON response')
    .action(async (flags: RegisterFlags, command: Command) => {
      const body = {
        name: flags.name,
        directory: resolve(context.io.cwd, flags.dir),
        command: splitCommand(flags.command),
        ...(flags.healthPath === undefined ? {} : { healthPath: flags.healthPath }),
      }
      const image = await context.client(command).post<Image>(API_PATHS.images, body)
      context.output(flags.json, image, () => renderImage(image, context.io.nowMs()))
    })

  images
    .command('list')
    .description('list images')
    .option('--json', 'print the raw JSON response')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const body = await context.client(command).get<{ images: Image[] }>(API_PATHS.images)
      const nowMs = context.io.nowMs()
      context.output(flags.json, body, () =>
        body.images.length === 0
          ? 'no images: register one with `billow images register`'
          : renderTable(
              ['id', 'name', 'directory', 'command', 'health path', 'age'],
              body.images.map((image) => [
                image.id,
                image.name,
                image.directory,
                formatArgv(image.command),
                image.healthPath,
                formatAge(image.createdAtMs, nowMs),
              ]),
            ),
      )
    })

  images
    .command('remove')
    .description('remove an image (refused while a launch configuration uses it)')
    .argument('<id>', 'image id (img-…)')
    .action(async (id: string, _flags: unknown, command: Command) => {
      await context.client(command).delete(itemPath(API_PATHS.images, id))
      context.print(`removed ${id}`)
    })
}

function renderImage(image: Image, nowMs: number): string {
  return renderFields([
    ['id', image.id],
    ['name', image.name],
    ['directory', image.directory],
    ['command', formatArgv(image.command)],
    ['health path', image.healthPath],
    ['created', formatTimeWithAge(image.createdAtMs, nowMs)],
  ])
}
