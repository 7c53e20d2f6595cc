/**
 * Tolerant reading of OneRoster JSON values as real servers send them (ONEROSTER.md §1.2,
 * §1.10; CLASSLINK.md §1.6): booleans as `true`, `"true"`, `"TRUE"` or `"t"`; 1.0's `inactive`
 * status; numbers where strings belong; references as GUIDRefs resolved by sourcedId (never
 * href, which is sometimes broken). Missing optional values become ''.
 *
 * Two halves: zod types that accept every tolerated form and reject the rest (a wrong type makes
 * the record malformed), and plain functions that turn an accepted value into its canonical
 * form. Keeping zod free of per-field transforms makes reading ~14× faster (measured on 10,000
 * users), which matters for districts with a million enrollments.
 */
import { z } from 'zod';
import type { RosterStatus, RosterUserId } from '../domain/roster.ts';

const TRUE_WORDS = new Set(['true', 't', '1', 'yes', 'y']);
const FALSE_WORDS = new Set(['false', 'f', '0', 'no', 'n', '']);

/** A string or a number; null or missing allowed. */
export const wireText = z.union([z.string(), z.number()]).nullish();

/** A boolean, or a string/number spelling one; null or missing allowed. */
export const wireFlag = z.union([z.boolean(), z.string(), z.number()]).nullish();

/** A status word; null or missing allowed. */
export const wireStatus = z.string().nullish();

/** A reference: a GUIDRef object, or (tolerated) a bare id. */
export const wireRef = z.union([z.string(), z.number(), z.object({ sourcedId: wireText })]).nullish();

/** A list of references. */
export const wireRefs = z.array(wireRef).nullish();

/** A list of strings, or one comma-separated string. */
export const wireList = z.union([z.array(z.union([z.string(), z.number()])), z.string()]).nullish();

/** `userIds[]`: objects with a type and an identifier. */
export const wireUserIds = z.array(z.object({ type: wireText, identifier: wireText })).nullish();

/** Text as sent ('' when missing; numbers written out). */
export function text(v: z.infer<typeof wireText>): string {
  return v == null ? '' : String(v);
}

/** A vocabulary word (role, type): trimmed and lower-cased. */
export function word(v: z.infer<typeof wireText>): string {
  return text(v).trim().toLowerCase();
}

/** A boolean from any accepted spelling; `whenMissing` for null/absent; undefined when unreadable. */
export function flag(v: z.infer<typeof wireFlag>, whenMissing: boolean): boolean | undefined {
  if (v == null) return whenMissing;
  if (typeof v === 'boolean') return v;
  const w = String(v).trim().toLowerCase();
  if (TRUE_WORDS.has(w)) return true;
  if (FALSE_WORDS.has(w)) return false;
  return undefined;
}

/** `active` or `tobedeleted` (1.0's `inactive` reads as tobedeleted; blank is active); undefined when unknown. */
export function status(v: z.infer<typeof wireStatus>): RosterStatus | undefined {
  const w = (v ?? '').trim().toLowerCase();
  if (w === '' || w === 'active') return 'active';
  if (w === 'tobedeleted' || w === 'inactive') return 'tobedeleted';
  return undefined;
}

/** A reference's sourcedId ('' when missing). */
export function ref(v: z.infer<typeof wireRef>): string {
  if (v == null) return '';
  if (typeof v === 'object') return text(v.sourcedId);
  return String(v);
}

/** References as sourcedIds in the order sent, blanks left out. */
export function refs(v: z.infer<typeof wireRefs>): string[] {
  const out: string[] = [];
  for (const r of v ?? []) {
    const id = ref(r);
    if (id !== '') out.push(id);
  }
  return out;
}

/** A list of strings, trimmed, blanks left out. */
export function list(v: z.infer<typeof wireList>): string[] {
  if (v == null) return [];
  const items = Array.isArray(v) ? v.map(String) : v.split(',');
  return items.map((s) => s.trim()).filter((s) => s !== '');
}

/** `userIds[]` entries; those without an identifier are left out. */
export function userIds(v: z.infer<typeof wireUserIds>): RosterUserId[] {
  const out: RosterUserId[] = [];
  for (const u of v ?? []) {
    const identifier = text(u.identifier);
    if (identifier !== '') out.push({ type: text(u.type), identifier });
  }
  return out;
}
