/**
 * The CLI's three kinds of failure, each with its own exit code so that scripts can tell a typo
 * (2) from a refusal by the server or an unreachable server (1).
 */

/** The command line itself is wrong; nothing was sent. Exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** The server answered with an error body (`{ error: { code, message, field? } }`). Exit code 1. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly status: number
  readonly code: string
  readonly field: string | undefined

  constructor(options: { status: number; code: string; message: string; field?: string | undefined }) {
    super(options.message)
    this.status = options.status
    this.code = options.code
    this.field = options.field
  }
}

/** No server to talk to: none found in the data directory, or the request never got an answer. Exit code 1. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError'
}

export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2
