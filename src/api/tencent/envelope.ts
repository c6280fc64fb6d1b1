/**
 * Tencent Cloud API 3.0 envelopes: {"Response": {…fields, "RequestId"}} on success and
 * {"Response": {"Error": {Code, Message}, "RequestId"}} on failure, both HTTP 200: the SDK reads
 * an error's code only from a 200 (any other status becomes a code-less exception). The
 * request's X-TC-TraceId is echoed in x-tc-traceid, where the SDK looks for it.
 */
import { randomUUID } from 'node:crypto'

export const newTencentRequestId = (): string => randomUUID()

function respond(response: object, traceId: string | null): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (traceId !== null && /^[A-Za-z0-9-]{1,64}$/.test(traceId)) headers['x-tc-traceid'] = traceId
  return new Response(JSON.stringify({ Response: response }), { status: 200, headers })
}

export const tencentSuccess = (requestId: string, fields: object, traceId: string | null): Response =>
  respond({ ...fields, RequestId: requestId }, traceId)

export const tencentError = (
  requestId: string,
  error: { code: string; message: string },
  traceId: string | null,
): Response => respond({ Error: { Code: error.code, Message: error.message }, RequestId: requestId }, traceId)
