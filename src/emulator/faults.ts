/**
 * Which fault, if any, the n-th OneRoster request since the faults were set gets (pure), and
 * the schema that checks faults sent to the control endpoint.
 */
import { z } from 'zod';
import type { Faults } from './types.ts';

/** What to do with one request. */
export type FaultAction =
  | { kind: 'reset' }
  | { kind: 'status'; status: number; retryAfterSeconds?: number; delayMs: number }
  | {
      kind: 'serve';
      /** Wait this long before answering. */
      delayMs: number;
      /** Cut the body in half. */
      truncate: boolean;
      /** Replace the envelope: an error payload, or the collection under a wrong key. */
      wrongEnvelope: 'error' | 'missingKey' | null;
      /** Serve at most this many records, whatever the limit. */
      clampPageSize: number | null;
      /** Add this to X-Total-Count. */
      totalDrift: number;
    };

/** Whether request n (1-based) is one of every k-th. */
function hits(n: number, every: number | undefined): boolean {
  return every !== undefined && every > 0 && n % every === 0;
}

/** The fault for request n (1-based, counted since the faults were set). */
export function decideFault(faults: Faults, n: number): FaultAction {
  if (hits(n, faults.reset?.every)) return { kind: 'reset' };
  const slow = faults.slow;
  const delayMs = slow && (slow.every === undefined || hits(n, slow.every)) ? slow.delayMs : 0;
  if (faults.failAfter && n >= faults.failAfter.requests) return { kind: 'status', status: faults.failAfter.status, delayMs };
  if (faults.rateLimit && hits(n, faults.rateLimit.every)) {
    return { kind: 'status', status: 429, retryAfterSeconds: faults.rateLimit.retryAfterSeconds, delayMs };
  }
  if (faults.serverError && hits(n, faults.serverError.every)) {
    return { kind: 'status', status: faults.serverError.status, delayMs };
  }
  const wrong = faults.wrongEnvelope && hits(n, faults.wrongEnvelope.every) ? faults.wrongEnvelope.every : 0;
  return {
    kind: 'serve',
    delayMs,
    truncate: hits(n, faults.truncated?.every),
    // Alternate the two shapes of a wrong envelope: odd hits get an error payload.
    wrongEnvelope: wrong === 0 ? null : (n / wrong) % 2 === 1 ? 'error' : 'missingKey',
    clampPageSize: faults.clampPageSize ?? null,
    totalDrift: faults.driftTotals && n >= faults.driftTotals.afterRequests ? faults.driftTotals.by : 0,
  };
}

const every = z.number().int().positive();

/** Faults as JSON (the control endpoint's body). */
export const FAULTS_SCHEMA = z
  .object({
    rateLimit: z.object({ every, retryAfterSeconds: z.number().int().nonnegative() }).strict(),
    serverError: z.object({ every, status: z.union([z.literal(502), z.literal(503)]) }).strict(),
    slow: z.object({ delayMs: z.number().int().nonnegative(), every: every.optional() }).strict(),
    truncated: z.object({ every }).strict(),
    wrongEnvelope: z.object({ every }).strict(),
    clampPageSize: z.number().int().positive(),
    driftTotals: z.object({ afterRequests: every, by: z.number().int() }).strict(),
    failAfter: z.object({ requests: every, status: z.number().int().min(400).max(599) }).strict(),
    reset: z.object({ every }).strict(),
  })
  .partial()
  .strict();
