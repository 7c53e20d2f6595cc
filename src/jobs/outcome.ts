/**
 * The one place a queue calls a handler: whatever the handler does — returns an outcome,
 * throws, rejects, returns nothing — the queue gets an outcome and goes on to the next job.
 * Handlers are written not to throw; this is the net under them, so a bug in one job never
 * stops a worker.
 */
import { oneLine } from '../domain/errors.ts';
import type { JobHandler, JobName, JobOutcome, JobPayloads } from './types.ts';

/** Runs a handler and turns anything it does into an outcome. */
export async function runHandler<N extends JobName>(handler: JobHandler<N>, payload: JobPayloads[N]): Promise<JobOutcome> {
  try {
    const outcome: unknown = await handler(payload);
    if (isOutcome(outcome)) return outcome;
    return { ok: false, error: 'The job handler returned no outcome.' };
  } catch (e) {
    return { ok: false, error: `The job handler failed: ${oneLine(e)}` };
  }
}

/** A line for a log: `ok (detail)` or `failed: error`, with the operation when there is one. */
export function outcomeLine(outcome: JobOutcome): string {
  const op = outcome.operationId === undefined ? '' : ` [operation ${outcome.operationId}]`;
  return outcome.ok ? `ok${outcome.detail ? `: ${outcome.detail}` : ''}${op}` : `failed: ${outcome.error}${op}`;
}

function isOutcome(v: unknown): v is JobOutcome {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as { ok?: unknown; error?: unknown };
  return o.ok === true || (o.ok === false && typeof o.error === 'string');
}
