/**
 * The native REST API on Hono: bearer authentication, strict JSON bodies, and every failure a
 * 4xx with a stable code and the field it is about. Unexpected exceptions are bugs: logged with
 * their stack, answered 500 without details.
 */
import { type Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { BillowError, type BillowErrorCode } from '../../core/errors.ts'
import type { Logger } from '../../ports/logger.ts'
import type { Services } from '../../service/services.ts'
import type { Caller } from '../../service/tokens.ts'
import { REST_STATUS } from './error-status.ts'
import { openApiDocument } from './openapi.ts'
import { prometheusText } from './prometheus-export.ts'
import { type Route, TextBody } from './route.ts'
import { restRoutes } from './routes.ts'
import { parseOrThrow } from './validation.ts'

/** Request bodies larger than this are refused before they are read in full. */
export const BODY_BYTES_MAX = 1024 * 1024

type Env = { Variables: { caller: Caller } }

export function createRestApp(options: { services: Services; log: Logger; version: string }): Hono<Env> {
  const { services, log } = options
  const routes = restRoutes(services)
  const app = new Hono<Env>()
  const document = openApiDocument(routes, options.version)

  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/openapi.json', (c) => c.json(document))

  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: BODY_BYTES_MAX,
      // The rest of the body is never read, so the connection cannot be reused: say so to the client.
      onError: (c) => {
        c.header('Connection', 'close')
        return errorResponse(
          c,
          new BillowError('PayloadTooLarge', `request bodies are limited to ${BODY_BYTES_MAX} bytes`),
        )
      },
    }),
  )
  const authenticate = async (c: Context<Env>, next: () => Promise<void>) => {
    const header = c.req.header('authorization') ?? ''
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    const caller = match?.[1] ? await services.tokens.authenticate(match[1]) : undefined
    if (!caller) throw new BillowError('Unauthenticated', 'a valid bearer token is required (Authorization: Bearer …)')
    if (caller.kind === 'token' && caller.token.scope === 'read-only' && c.req.method !== 'GET') {
      throw new BillowError('Forbidden', `token ${caller.token.id} is read-only`)
    }
    c.set('caller', caller)
    await next()
  }
  app.use('/v1/*', authenticate)
  app.use('/metrics', authenticate)
  app.get('/metrics', async (c) => {
    const exported = await prometheusText(services)
    return c.body(exported.text, 200, { 'content-type': exported.contentType })
  })

  for (const route of routes) app.on(route.method.toUpperCase(), route.path, (c) => serve(c, route))

  app.notFound((c) => errorResponse(c, new BillowError('RouteNotFound', `no route ${c.req.method} ${c.req.path}`)))
  app.onError((error, c) => {
    if (error instanceof BillowError) return errorResponse(c, error)
    log.error('api.unexpected-error', { method: c.req.method, path: c.req.path, error: error.stack ?? String(error) })
    return c.json({ error: { code: 'InternalError', message: 'an unexpected error; it has been logged' } }, 500)
  })
  return app

  async function serve(c: Context<Env>, route: Route) {
    const query = route.query ? parseOrThrow(route.query, c.req.query(), 'query') : undefined
    if (!route.query && Object.keys(c.req.query()).length > 0) {
      const [field] = Object.keys(c.req.query())
      throw new BillowError('UnknownParameter', `${field}: is not a parameter of this request`, { field })
    }
    const body = route.body ? parseOrThrow(route.body, await readJson(c.req.raw), 'body') : undefined
    const params = Object.fromEntries(
      Object.entries(c.req.param() as Record<string, string>).map(([k, v]) => [k, decodeURIComponent(v)]),
    )
    const result = await route.handle({ params, body, query })
    if (route.status === 204) return c.body(null, 204)
    if (result instanceof TextBody) return c.text(result.text, route.status as ContentfulStatusCode)
    return c.json(result as object, route.status as ContentfulStatusCode)
  }
}

async function readJson(request: Request): Promise<unknown> {
  const text = await request.text()
  if (text.trim() === '') return {}
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new BillowError('MalformedRequest', 'the body is not valid JSON', { cause: error })
  }
}

function errorResponse(c: { json: (body: object, status: ContentfulStatusCode) => Response }, error: BillowError) {
  const code: BillowErrorCode = error.code
  return c.json(
    { error: { code, message: error.message, ...(error.field === undefined ? {} : { field: error.field }) } },
    REST_STATUS[code] as ContentfulStatusCode,
  )
}
