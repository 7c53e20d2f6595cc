/**
 * Reading single CSV cells into typed values, as real exporters write them (ONEROSTER.md §1.10,
 * §2.1): booleans in several spellings, quoted comma lists, `{type:id}` userIds lists, and the
 * status vocabulary with 1.0's `inactive`. Pure; the callers decide what a bad value means.
 */
import type { RosterStatus, RosterUserId } from '../domain/roster.ts';

const TRUE_WORDS = new Set(['true', 't', '1', 'yes', 'y']);
const FALSE_WORDS = new Set(['false', 'f', '0', 'no', 'n']);

/** A boolean cell: `true/TRUE/t/1/yes` → true, `false/FALSE/f/0/no` → false, blank or anything else → undefined. */
export function parseBoolean(cell: string): boolean | undefined {
  const word = cell.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

/**
 * A status cell: `active`, `tobedeleted`, and 1.0's `inactive` read as `tobedeleted`
 * (ONEROSTER.md §0), compared without case. Blank gives 'blank' (the caller knows whether the
 * file is bulk, where blank means active); anything else gives undefined.
 */
export function parseStatus(cell: string): RosterStatus | 'blank' | undefined {
  const word = cell.trim().toLowerCase();
  if (word === '') return 'blank';
  if (word === 'active') return 'active';
  if (word === 'tobedeleted' || word === 'inactive') return 'tobedeleted';
  return undefined;
}

/** A multi-value cell (`"09,10,11"`): the comma-separated items, trimmed, blanks dropped. */
export function splitList(cell: string): string[] {
  // Most list cells hold one item (a user's school, a grade): skip the split for them.
  if (!cell.includes(',')) {
    const item = cell.trim();
    return item === '' ? [] : [item];
  }
  const items: string[] = [];
  for (const part of cell.split(',')) {
    const item = part.trim();
    if (item !== '') items.push(item);
  }
  return items;
}

/** The userIds of a cell, and how many items were not in `{type:id}` form. */
export interface ParsedUserIds {
  /** The braced identifiers in the order written, then any bare ones. */
  userIds: RosterUserId[];
  /** Items written bare (`abc`): kept with an empty type, counted so the reader can warn. */
  bare: number;
}

/**
 * A userIds cell: `{LDAP:12},{LTI:15}` → [{type: 'LDAP', identifier: '12'}, …]. The type ends
 * at the first colon, so identifiers may contain colons. Bare items outside braces (seen in
 * oat-sa's "1.1" sample: `abc`) are kept with an empty type rather than lost.
 */
export function parseUserIds(cell: string): ParsedUserIds {
  const userIds: RosterUserId[] = [];
  if (cell === '') return { userIds, bare: 0 };
  let outside = '';
  let at = 0;
  // A hand-written scan: this runs once per user, a million times for a large district.
  while (at < cell.length) {
    const open = cell.indexOf('{', at);
    const close = open === -1 ? -1 : cell.indexOf('}', open + 1);
    if (close === -1) {
      outside += cell.slice(at);
      break;
    }
    outside += cell.slice(at, open);
    const colon = cell.indexOf(':', open + 1);
    const hasType = colon !== -1 && colon < close;
    const identifier = cell.slice(hasType ? colon + 1 : open + 1, close).trim();
    if (identifier !== '') userIds.push({ type: hasType ? cell.slice(open + 1, colon).trim() : '', identifier });
    at = close + 1;
  }
  const bareItems = splitList(outside);
  for (const identifier of bareItems) userIds.push({ type: '', identifier });
  return { userIds, bare: bareItems.length };
}
