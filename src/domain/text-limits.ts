/**
 * How long each text a person types may be, in one place: the pages' `maxlength` and hints,
 * the routes' and services' checks, the API schemas and the CLI all read these. A value over
 * its limit is refused with a sentence and never cut short ("length limits on every text a
 * person types, said before saving, never silent truncation"). Limits apply to input only:
 * a longer value stored before still displays.
 */
import { RollcallError } from './errors.ts';

/** The longest value of each typed text, in characters (Unicode code points). */
export const TEXT_LIMITS = {
  /** A site's code: the Site field's length (fields.ts 1050). */
  siteCode: 32,
  /** A site's name: it is in every Site drop-down and the Sites table, so a long one widens them all. */
  siteName: 100,
  /** A staff username: the rule staff accounts have always had (usernames are global). */
  username: 100,
  /** A staff account's display name: shown in the header and the staff table. */
  staffDisplayName: 100,
  /** An API token's name (what the script is). */
  tokenName: 100,
  /** A webhook endpoint's description. */
  webhookDescription: 200,
  /** A webhook endpoint's address. */
  webhookUrl: 2000,
  /** A password (a passphrase is welcome; a megabyte is not hashed). */
  password: 1000,
  /** A roster or token server address. */
  url: 2000,
  /** A client id, tenant id or similar identifier an integration gives. */
  identifier: 200,
  /** A client secret or bearer token (pasted, never shown). */
  secret: 2000,
  /** A folder path on the server. */
  path: 1000,
  /** A search box. */
  search: 200,
  /** A patron GUID typed to link or find one (the GUID field's length, fields.ts 1200). */
  patronGuid: 255,
  /** A barcode typed to link a conflict (the Barcode field's length, fields.ts 1000). */
  barcode: 64,
  /** A Policy name typed in a rule or a default (the Policy field's length). */
  policy: 40,
  /** Any other short value typed in a form (a prefix, a fixed default, scopes). */
  short: 100,
} as const;

/** The name of a limit. */
export type TextLimit = keyof typeof TEXT_LIMITS;

/** How many characters a text has, as a person counts them (an emoji is one). */
export function characterCount(text: string): number {
  return Array.from(text).length;
}

/** The sentence refusing an over-long value, or '' when it fits: "Name is 408 characters long; it can hold at most 100." */
export function tooLongProblem(label: string, text: string, max: number): string {
  const length = characterCount(text);
  return length > max ? `${label} is ${length} characters long; it can hold at most ${max}.` : '';
}

/** A typed value refused for being too long, with the form field it came from. */
export class TextTooLongError extends RollcallError {
  /** The form field (its `name`) the value came from. */
  readonly field: string;

  constructor(field: string, message: string) {
    super('invalid_input', message);
    this.field = field;
  }
}

/** The value unchanged when it fits its limit; TextTooLongError naming the field when it does not. */
export function withinLimit(field: string, label: string, text: string, limit: TextLimit): string {
  const problem = tooLongProblem(label, text, TEXT_LIMITS[limit]);
  if (problem) throw new TextTooLongError(field, problem);
  return text;
}
