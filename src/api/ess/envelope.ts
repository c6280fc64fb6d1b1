/**
 * ESS response envelopes, as both SDK families need them: success is HTTP 200 with a JSON object
 * holding RequestId and the operation's fields and never a Code; an error is a 4xx/5xx with
 * {RequestId, HostId, Code, Message}. RequestIds are upper-case UUIDs like the gateway's.
 */
import { randomUUID } from 'node:crypto'

export const newEssRequestId = (): string => randomUUID().toUpperCase()

const JSON_HEADERS = { 'content-type': 'application/json;charset=utf-8' }

export function essSuccess(requestId: string, fields: object): Response {
  return new Response(JSON.stringify({ RequestId: requestId, ...fields }), { status: 200, headers: JSON_HEADERS })
}

export function essError(options: {
  requestId: string
  hostId: string
  code: string
  message: string
  status: number
}): Response {
  const body = { RequestId: options.requestId, HostId: options.hostId, Code: options.code, Message: options.message }
  return new Response(JSON.stringify(body), { status: options.status, headers: JSON_HEADERS })
}
