/** A request for a cloud dialect, as the dispatcher hands it over: the body already read, bounded. */
export interface CloudCall {
  readonly method: string
  /** The URL as received, mount prefix included. */
  readonly url: URL
  /** The path without the mount prefix (`/ess`, `/tencent`); at least `/`. */
  readonly path: string
  readonly headers: Headers
  /** Null when the body was larger than the dispatcher's limit (the dialect answers PayloadTooLarge). */
  readonly body: Buffer | null
}

export type CloudHandler = (call: CloudCall) => Promise<Response>
