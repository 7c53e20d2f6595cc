/**
 * Control endpoints for driving an emulator from another process (e.g. a script around
 * `rollcall emulator`): `POST /_emulator/faults`, `POST /_emulator/mutate` and the sign-in's
 * `POST /_emulator/sso/…` (sso.ts), all behind the partner key as a Bearer token. They are
 * not part of ClassLink.
 */
import { z } from 'zod';
import { isRollcallError, oneLine } from '../domain/errors.ts';
import { FAULTS_SCHEMA } from './faults.ts';
import { bearerOf, type Reply } from './http-io.ts';
import { applyMutation, MUTATION_SCHEMA } from './mutations.ts';
import type { SsoServer } from './sso.ts';
import type { DistrictMutations, Faults } from './types.ts';

/** The path prefix of control endpoints. */
export const CONTROL_PATH = '/_emulator/';

/** What control requests act on. */
export interface ControlTarget {
  /** The partner key that authorises them. */
  partnerKey: string;
  /** Replaces the faults. */
  setFaults(faults: Faults): void;
  /** The district's mutations. */
  mutate: DistrictMutations;
  /** The sign-in side, which answers `/_emulator/sso/…`. */
  sso?: Pick<SsoServer, 'control'>;
}

const MUTATIONS_BODY = z.union([MUTATION_SCHEMA, z.array(MUTATION_SCHEMA)]);

/** Answers a control request whose JSON body has been read (undefined when it was not JSON). */
export function controlReply(
  method: string,
  rawPath: string,
  authorization: string | undefined,
  body: unknown,
  target: ControlTarget,
): Reply {
  if (bearerOf(authorization) !== target.partnerKey) {
    return { status: 401, body: { ok: false, message: 'Control endpoints need the partner key as a Bearer token.' } };
  }
  if (method !== 'POST') return { status: 405, headers: { Allow: 'POST' }, body: { ok: false, message: 'Use POST.' } };
  if (rawPath === `${CONTROL_PATH}faults`) {
    const faults = FAULTS_SCHEMA.safeParse(body);
    if (!faults.success) return badBody(faults.error);
    target.setFaults(faults.data as Faults);
    return { status: 200, body: { ok: true } };
  }
  if (rawPath === `${CONTROL_PATH}mutate`) {
    const ops = MUTATIONS_BODY.safeParse(body);
    if (!ops.success) return badBody(ops.error);
    const list = Array.isArray(ops.data) ? ops.data : [ops.data];
    let applied = 0;
    for (const op of list) {
      try {
        applyMutation(target.mutate, op);
        applied++;
      } catch (e) {
        const status = isRollcallError(e, 'not_found') ? 404 : isRollcallError(e, 'conflict') ? 409 : 500;
        return { status, body: { ok: false, applied, message: oneLine(e) } };
      }
    }
    return { status: 200, body: { ok: true, applied } };
  }
  if (target.sso && rawPath.startsWith(`${CONTROL_PATH}sso/`)) return target.sso.control(rawPath.slice(`${CONTROL_PATH}sso/`.length), body);
  return {
    status: 404,
    body: { ok: false, message: 'Unknown control endpoint (use /_emulator/faults, /_emulator/mutate or /_emulator/sso/…).' },
  };
}

function badBody(error: z.ZodError | undefined): Reply {
  const detail = error ? error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') : 'not JSON';
  return { status: 400, body: { ok: false, message: `The request body is not valid: ${detail}` } };
}
