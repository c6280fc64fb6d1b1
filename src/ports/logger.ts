/**
 * Structured log lines. Secrets never go in: tokens and user data are not fields of any event.
 */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>

export interface Logger {
  info(event: string, fields?: LogFields): void
  warn(event: string, fields?: LogFields): void
  error(event: string, fields?: LogFields): void
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} }
