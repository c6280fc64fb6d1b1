/**
 * Secrets (a database administrator's password) come from a file or from stdin, never from a
 * flag's value, so they stay out of shell history and `ps`. Piped stdin is read to its end; on a
 * terminal the CLI prompts on stderr and reads one line without echoing it.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { CliIo } from './context.ts'
import { UsageError } from './errors.ts'

/** Longest secret read from stdin or a file; the API takes 256 characters. */
const SECRET_MAX_BYTES = 64 * 1024

const CTRL_C = '\u0003'
const CTRL_D = '\u0004'
const BACKSPACES = new Set(['\u007f', '\b'])

/** The secret in `file`, or on stdin for `-`, without the one line ending an editor or `echo` adds. */
export async function readSecretArgument(io: CliIo, file: string, flag: string): Promise<string> {
  let text: string
  if (file === '-') {
    if (!io.readSecret) throw new UsageError(`${flag} -: cannot read stdin here`)
    text = await io.readSecret(`${flag.replace(/^--|-file$/g, '').replaceAll('-', ' ')}: `)
  } else {
    const path = resolve(io.cwd, file)
    try {
      text = readFileSync(path, 'utf8')
    } catch (error) {
      throw new UsageError(`cannot read ${flag} ${path}: ${(error as Error).message}`)
    }
  }
  const secret = text.replace(/\r?\n$/, '')
  if (secret.length === 0) throw new UsageError(`${flag}: the ${file === '-' ? 'input' : 'file'} is empty`)
  return secret
}

/** processIo's readSecret: piped stdin to its end, or one hidden line typed at a terminal. */
export async function readSecretFromStdin(prompt: string): Promise<string> {
  const stdin = process.stdin
  if (!stdin.isTTY) {
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of stdin) {
      size += (chunk as Buffer).length
      if (size > SECRET_MAX_BYTES) throw new UsageError(`stdin holds more than ${SECRET_MAX_BYTES} bytes; not a secret`)
      chunks.push(chunk as Buffer)
    }
    return Buffer.concat(chunks).toString('utf8')
  }
  // Echo off before the prompt shows: a fast typist (or a paste) must not see the secret echoed.
  stdin.setRawMode(true)
  stdin.setEncoding('utf8')
  stdin.resume()
  process.stderr.write(prompt)
  return new Promise((done, fail) => {
    let typed = ''
    const finish = () => {
      stdin.off('data', onData)
      stdin.setRawMode(false)
      stdin.pause()
      process.stderr.write('\n')
    }
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === CTRL_D) {
          finish()
          done(typed)
          return
        }
        if (char === CTRL_C) {
          finish()
          fail(new UsageError('interrupted: nothing was sent'))
          return
        }
        if (BACKSPACES.has(char)) typed = [...typed].slice(0, -1).join('')
        else typed += char
      }
    }
    stdin.on('data', onData)
  })
}
