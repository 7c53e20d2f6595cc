/**
 * `rollcall serve`: the web admin and JSON API are a later piece of work (SPEC §5). Until then
 * the command exists, so scripts get a plain answer rather than "unknown command".
 */
import { RollcallError } from '../../domain/errors.ts';
import type { Handler } from '../program.ts';

/** `serve [--port N]` */
export const serve: Handler = async () => {
  throw new RollcallError('not_configured', 'The web admin (`rollcall serve`) is not available yet; use the other rollcall commands meanwhile.');
};
