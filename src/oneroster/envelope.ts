/**
 * Reading a OneRoster response body: the collection envelope (`{"users":[…]}`) and the three
 * error envelopes real servers send (ONEROSTER.md §1.8): 1.2's imsx_StatusInfo at the top
 * level, 1.1's `statusInfoSet` array, and `imsx_statusInfo` (Moodle's 1.2 reading). Pure.
 */

/** An error (or status) report found in a body. */
export interface StatusInfo {
  /** imsx_codeMajor: success, processing, failure, unsupported. */
  codeMajor: string;
  /** imsx_codeMinor value(s), e.g. `unknownobject` ('' when absent). */
  codeMinor: string;
  /** imsx_description, on one line and cut short ('' when absent). */
  description: string;
}

/** A body problem worth another attempt (truncation, a wrong envelope on a 200). */
export class UnreadableBody extends Error {
  override readonly name = 'UnreadableBody';
}

/** Server-written text is shown to people: keep it to one short line. */
const MAX_DESCRIPTION_CHARS = 200;

/** Parses a body as JSON; throws UnreadableBody when it is not JSON (e.g. cut off half-way). */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UnreadableBody(text.trim() === '' ? 'an empty response' : 'a response that is not valid JSON');
  }
}

/** Finds a status report in any of the three envelopes; null when there is none. */
export function findStatusInfo(body: unknown): StatusInfo | null {
  if (!isObject(body)) return null;
  const candidates: unknown[] = [body, body['imsx_statusInfo']];
  const set = body['statusInfoSet'];
  if (Array.isArray(set)) candidates.push(...set);
  else if (isObject(set)) candidates.push(set['imsx_statusInfo'] ?? set);
  for (const c of candidates) {
    if (!isObject(c)) continue;
    const major = pick(c, 'imsx_codeMajor');
    if (typeof major !== 'string') continue;
    return {
      codeMajor: major.trim().toLowerCase(),
      codeMinor: codeMinorOf(c),
      description: oneShortLine(pick(c, 'imsx_description')),
    };
  }
  return null;
}

/**
 * The array under `key` in a collection response. A body without it — an error envelope sent
 * with 200, another collection, a bare array — throws UnreadableBody saying which.
 */
export function collectionOf(body: unknown, key: string): unknown[] {
  const status = findStatusInfo(body);
  if (status && status.codeMajor === 'failure') throw new UnreadableBody(describeStatus(status));
  if (isObject(body) && Array.isArray(body[key])) return body[key];
  if (status && status.codeMajor !== 'success') throw new UnreadableBody(describeStatus(status));
  throw new UnreadableBody(`a response without a "${key}" list`);
}

/** One plain phrase for a status report: `an error report "No such user" (unknownobject)`. */
export function describeStatus(s: StatusInfo): string {
  const what = s.codeMajor === 'failure' ? 'an error report' : `a "${s.codeMajor}" report`;
  const text = s.description ? ` "${s.description}"` : '';
  const minor = s.codeMinor ? ` (${s.codeMinor})` : '';
  return `${what}${text}${minor}`;
}

function codeMinorOf(c: Record<string, unknown>): string {
  const minor = pick(c, 'imsx_codeMinor');
  if (typeof minor === 'string') return minor;
  if (!isObject(minor)) return '';
  const fields = pick(minor, 'imsx_codeMinorField');
  const list = Array.isArray(fields) ? fields : [fields];
  return list
    .map((f) => (isObject(f) ? pick(f, 'imsx_codeMinorFieldValue') : undefined))
    .filter((v): v is string => typeof v === 'string' && v !== '' && v !== 'fullsuccess')
    .join(', ');
}

/** Reads a key case-insensitively: 1.1 writes imsx_codeMinor, 1.2 imsx_CodeMinor. */
function pick(o: Record<string, unknown>, key: string): unknown {
  if (key in o) return o[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(o)) if (k.toLowerCase() === lower) return o[k];
  return undefined;
}

function oneShortLine(v: unknown): string {
  if (typeof v !== 'string') return '';
  const line = v.replace(/\s+/g, ' ').trim();
  return line.length > MAX_DESCRIPTION_CHARS ? `${line.slice(0, MAX_DESCRIPTION_CHARS - 1)}…` : line;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
