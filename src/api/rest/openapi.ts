import { z } from 'zod'
import type { Route } from './route.ts'

/** The OpenAPI 3.1 document, generated from the same route table the app serves. */
export function openApiDocument(routes: readonly Route[], version: string): object {
  const paths: Record<string, Record<string, object>> = {}
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}')
    const parameters = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }))
    const querySchema = route.query
      ? (z.toJSONSchema(route.query, { io: 'input' }) as { properties?: object })
      : undefined
    for (const [name, schema] of Object.entries(querySchema?.properties ?? {})) {
      parameters.push({ name, in: 'query', required: false, schema })
    }
    paths[path] ??= {}
    const operation: Record<string, unknown> = {
      summary: route.summary,
      tags: [route.tag],
      parameters,
      responses: {
        [route.status]: { description: 'Success' },
        '4XX': {
          description: 'Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    }
    if (route.body) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: z.toJSONSchema(route.body, { io: 'input' }) } },
      }
    }
    paths[path][route.method] = operation
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Billow native REST API', version },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
              required: ['code', 'message'],
            },
          },
        },
      },
    },
    paths,
  }
}
