/**
 * What every settings form and JSON body shares (pure): the body's type, checkboxes, text and
 * lists as forms send them, and the refusal a wrong value gets.
 */
import { RollcallError } from '../../domain/errors.ts';
import { type TextLimit, withinLimit } from '../../domain/text-limits.ts';

/** A form or JSON body. */
export type Body = Record<string, unknown>;

/** Whether a form's checkbox or a flag is on (`on`, `true`, `1`, true). */
export function checked(value: unknown): boolean {
  const v = Array.isArray(value) ? value[value.length - 1] : value;
  return v === true || ['on', 'true', '1', 'yes'].includes(textOf(v).toLowerCase());
}

/** A form value as a list: absent or blank is none, one value is one. */
export function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

/** A JSON body's nested object (absent is empty); invalid_input for anything else. */
export function objectOf(value: unknown): Body {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalid('The request is not valid: an object was expected.');
  return value as Body;
}

/** A value as trimmed text (a finite number as its digits; anything else is ''). */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

/**
 * A value as trimmed text within its limit (domain/text-limits.ts); over it, refused with a
 * sentence naming the field as the page labels it — never cut short.
 */
export function limitedTextOf(value: unknown, field: string, label: string, limit: TextLimit): string {
  return withinLimit(field, label, textOf(value), limit);
}

/** The refusal of a value, with its sentence. */
export function invalid(message: string): RollcallError {
  return new RollcallError('invalid_input', message);
}
