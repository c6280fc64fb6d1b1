import type { LogFields, Logger } from '../ports/logger.ts'

/** One line per event on stderr: time, level, event, then key=value fields. */
export function createConsoleLogger(
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Logger {
  const emit = (level: string, event: string, fields?: LogFields) => {
    const parts = Object.entries(fields ?? {})
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${typeof value === 'string' && /\s/.test(value) ? JSON.stringify(value) : value}`)
    write([new Date().toISOString(), level, event, ...parts].join(' '))
  }
  return {
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
    error: (event, fields) => emit('error', event, fields),
  }
}
