/**
 * One error handler for pages and API: a RollcallError becomes its HTTP status and its
 * sentence (a page, or `{"error": {"kind", "message"}}` under /api); anything else is a bug,
 * logged with the request id and shown as a sentence that names the id, never a stack.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { RollcallError, type ErrorKind } from '../domain/errors.ts';
import { isApiRequest } from './render.ts';

/** HTTP status of each error kind. */
const STATUS: Record<ErrorKind, number> = {
  usage: 400,
  config_invalid: 500,
  source_unreachable: 502,
  credentials_refused: 400,
  bad_response: 502,
  source_unavailable: 503,
  not_found: 404,
  unknown_tenant: 400,
  app_not_approved: 400,
  not_configured: 409,
  snapshot_incomplete: 409,
  threshold_exceeded: 409,
  conflict: 409,
  invalid_input: 400,
  store_failed: 503,
  gone: 410,
};

/** Sends `error` as the response. */
export async function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  const { status, kind, message } = describe(error, request);
  if (status >= 500 && !(error instanceof RollcallError)) request.log.error({ err: error }, 'request failed');
  if (isApiRequest(request)) return reply.code(status).send({ error: { kind, message } });
  return reply.page('error', { title: status === 404 ? 'Not found' : 'Something is wrong', message }, status);
}

/** 404 for any path no route serves. */
export async function handleNotFound(request: FastifyRequest, reply: FastifyReply) {
  const message = `There is no page at ${request.url.split('?')[0]}.`;
  if (isApiRequest(request)) return reply.code(404).send({ error: { kind: 'not_found', message } });
  return reply.page('error', { title: 'Not found', message }, 404);
}

function describe(error: FastifyError | Error, request: FastifyRequest): { status: number; kind: string; message: string } {
  if (error instanceof RollcallError) return { status: STATUS[error.kind], kind: error.kind, message: error.message };
  const e = error as FastifyError;
  if (e.code === 'FST_CSRF_MISSING_SECRET' || e.code === 'FST_CSRF_INVALID_TOKEN') {
    return { status: 403, kind: 'csrf', message: 'This form has expired or did not come from Rollcall; reload the page and try again.' };
  }
  if (e.validation) return { status: 400, kind: 'invalid_input', message: `The request is not valid: ${e.message}.` };
  if (e.statusCode === 429) return { status: 429, kind: 'rate_limited', message: e.message };
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return { status: e.statusCode, kind: 'bad_request', message: e.message };
  return {
    status: 500,
    kind: 'internal',
    message: `Something went wrong on our side (reference ${request.id}); the details are in the server log.`,
  };
}
