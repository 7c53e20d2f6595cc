/**
 * Libraries (SPEC §6): one deployment holds many — a vendor hosting districts gives each its
 * own. Adding one and listing them; everything else is chosen per library with `--library CODE`.
 */
import { RollcallError } from '../../domain/errors.ts';
import { checkTimezone, serverTimeZone } from '../../domain/schedule.ts';
import type { Library, Repositories } from '../../store/store.ts';

/** Longest library code. */
export const MAX_LIBRARY_CODE_LENGTH = 32;

/** Letters and digits, and inside them `-`, `_` or `.`: safe on a command line and in URLs. */
const LIBRARY_CODE = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/** A library as listed. */
export interface LibraryView {
  /** Its code (`--library CODE`). */
  code: string;
  /** Display name. */
  name: string;
  /** IANA time zone of its Daily Operations. */
  timezone: string;
  /** Whether a person chose or confirmed the time zone (else the home page asks an admin to). */
  timezoneConfirmed: boolean;
  /** When it was added (ISO 8601 UTC). */
  createdAt: string;
}

/** What a new library is. */
export interface NewLibrary {
  /** Its code. */
  code: string;
  /** Display name. */
  name: string;
  /** IANA time zone (default: the server's, left for an admin to confirm). */
  timezone?: string | undefined;
}

/** Whether a string follows the library code rule (e.g. before echoing one from a link). */
export function isLibraryCode(code: string): boolean {
  return code.length <= MAX_LIBRARY_CODE_LENGTH && LIBRARY_CODE.test(code);
}

/** Checks a library code, returning it trimmed; invalid_input with the rule when it breaks it. */
export function checkLibraryCode(raw: string): string {
  const code = raw.trim();
  if (!isLibraryCode(code)) {
    throw new RollcallError(
      'invalid_input',
      `"${code}" is not a usable library code: use 1 to ${MAX_LIBRARY_CODE_LENGTH} letters or digits (with - _ . inside), like maple-sd.`,
    );
  }
  return code;
}

/**
 * Adds a library; a code already taken is a conflict, an unknown time zone a usage error. SPEC
 * §3.7: the time zone "is asked for when a library is set up (never a silent UTC)": without one,
 * the library gets the server's zone (the caller says which), unconfirmed, so the home page asks
 * an admin to confirm or change it.
 */
export async function addLibrary(repos: Pick<Repositories, 'libraries'>, input: NewLibrary): Promise<LibraryView> {
  const code = checkLibraryCode(input.code);
  const name = input.name.trim();
  if (name === '') throw new RollcallError('invalid_input', 'A library needs a name, like "Maple School District".');
  const given = input.timezone !== undefined;
  const timezone = given ? checkTimezone(input.timezone!) : serverTimeZone();
  return viewOf(await repos.libraries.create({ code, name, timezone, timezoneConfirmed: given }));
}

/** Every library, by code. */
export async function listLibraries(repos: Pick<Repositories, 'libraries'>): Promise<LibraryView[]> {
  return (await repos.libraries.list()).map(viewOf);
}

function viewOf(l: Library): LibraryView {
  return { code: l.code, name: l.name, timezone: l.timezone, timezoneConfirmed: l.timezoneConfirmed, createdAt: l.createdAt };
}
