/**
 * One route of the REST API, described once: the app registers it, and the OpenAPI document is
 * generated from the same description, so the two cannot drift.
 */
import type { z } from 'zod'

export type Method = 'get' | 'post' | 'patch' | 'delete'

export interface RouteInput<Body, Query> {
  readonly params: Readonly<Record<string, string>>
  readonly body: Body
  readonly query: Query
}

/** A plain-text answer (instance logs); everything else is JSON. */
export class TextBody {
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
}

export interface Route {
  readonly method: Method
  /** Hono path syntax: /v1/groups/:groupId */
  readonly path: string
  readonly summary: string
  readonly tag: string
  readonly status: 200 | 201 | 202 | 204
  /** Whether a read-only token may call it. */
  readonly readOnly: boolean
  readonly body: z.ZodType | undefined
  readonly query: z.ZodType | undefined
  readonly handle: (input: RouteInput<unknown, unknown>) => Promise<unknown>
}

export function route<Body = undefined, Query = undefined>(spec: {
  method: Method
  path: string
  summary: string
  tag: string
  status?: Route['status']
  body?: z.ZodType<Body>
  query?: z.ZodType<Query>
  handle: (input: RouteInput<Body, Query>) => Promise<unknown>
}): Route {
  return {
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    tag: spec.tag,
    status: spec.status ?? 200,
    readOnly: spec.method === 'get',
    body: spec.body,
    query: spec.query,
    handle: spec.handle as Route['handle'],
  }
}
