/**
 * The roster sources' identities: their kinds (as stored in the database and the JSON API), how
 * people call them, and their `rollcall` command groups. A leaf module, so that any module that
 * only names a source (messages, presenters, a source's own site matching) can do so without
 * loading every source's definition (registry.ts).
 */
import type { IntegrationKind } from '../domain/patron.ts';

/** A roster source's kind. The stored values (and the domain's IntegrationKind) stay as they are. */
export type SourceKind = IntegrationKind;

/** Every source kind, in the order they are listed. */
export const SOURCE_KINDS: readonly SourceKind[] = ['classlink', 'oneroster', 'csv'];

/** How people call each source. */
export const SOURCE_NAMES: Readonly<Record<SourceKind, string>> = {
  classlink: 'ClassLink',
  oneroster: 'OneRoster REST',
  csv: 'OneRoster CSV',
};

/** Each source's `rollcall` command group. */
export const SOURCE_COMMANDS: Readonly<Record<SourceKind, string>> = {
  classlink: 'classlink',
  oneroster: 'oneroster',
  csv: 'csv',
};

/** Whether a stored text names a source kind. */
export function isSourceKind(text: string): text is SourceKind {
  return (SOURCE_KINDS as readonly string[]).includes(text);
}
