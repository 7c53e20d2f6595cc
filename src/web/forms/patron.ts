/** What the patron pages send: the edit form's fields and the search's Status filter (pure). */
import { RollcallError } from '../../domain/errors.ts';
import { EDITABLE_KEYS } from '../../services/patrons/patron-edit.ts';

/** The form's fields of a page post: every editable key that was sent (the GUID only when shown). */
export function formInput(body: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const key of EDITABLE_KEYS) if (body[key] !== undefined) input[key] = body[key];
  return input;
}

/** A Status filter from a request: blank is none; a whole number; invalid_input otherwise. */
export function statusFilterOf(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = String(value).trim();
  if (!/^\d{1,4}$/.test(text))
    throw new RollcallError('invalid_input', `The status filter must be a Status number (1 Active, 4 Transferred, …), not "${text}".`);
  return Number(text);
}
