/**
 * End of year (SPEC §3.10: "Rollcall offers a removal of patrons by rule (status, site, policy,
 * Transferred for more than N days, no sync since a date): previewed with counts and a list,
 * exported to a CSV archive first, then deleted in one transaction, journaled as an operation.
 * A single patron can be deleted from their page. Nothing is ever deleted by a sync.").
 *
 * - The preview, the archive download and the removal select with ONE query builder
 *   (store/removals.ts `ruleQuery`), so what is previewed is what goes.
 * - The removal is a `patron_removal` operation created, applied and finished in one transaction,
 *   as an import is: it takes the library's one active-operation slot (SPEC §3.7), so a sync and a
 *   removal never interleave — one asked while a sync runs is refused ("try after operation N").
 * - The archive is the field-number CSV `patrons export` writes (the one `patrons import` reads,
 *   so a removal is restored by importing it); it is written (to the caller's file, when asked)
 *   before anything is deleted — if it cannot be, nothing is — and kept with the operation for a
 *   retention period (ROLLCALL_REMOVAL_ARCHIVE_DAYS).
 * - The confirmation carries the count the person saw: a count that changed since is refused
 *   (preview again), and a rule taking Active patrons needs its own explicit yes.
 */
import { RollcallError } from '../../domain/errors.ts';
import { OPERATION_TYPES, REMOVAL_SOURCE, busyRefusal } from '../../domain/operation.ts';
import { startOwnOperation } from '../operations/start-own.ts';
import type { Patron } from '../../domain/patron.ts';
import { type RemovalRule, removesActive, ruleWords } from '../../domain/removal.ts';
import type { LogLine, Operation, Repositories, Store } from '../../store/store.ts';
import { zeroCounts } from '../../store/store.ts';
import { requireSite } from '../sites/sites.ts';
import { csvHeader, csvLine } from './export-patrons.ts';
import { countOf } from '../../domain/words.ts';

/** Days an archive is kept unless configured (ROLLCALL_REMOVAL_ARCHIVE_DAYS). */
export const DEFAULT_REMOVAL_ARCHIVE_DAYS = 400;
/** Patrons per preview page unless asked otherwise, and at most. */
const PREVIEW_PAGE = 50;
const MAX_PREVIEW_PAGE = 500;
/** Log lines appended per call. */
const LOG_CHUNK = 5000;

/** What a rule would remove now. */
export interface RemovalPreview {
  /** The rule. */
  rule: RemovalRule;
  /** The rule in words. */
  ruleText: string;
  /** How many patrons it selects: the number a person types to confirm. */
  total: number;
  /** A page of them (id order). */
  items: Patron[];
  /** The page's first index. */
  offset: number;
  /** With a date: patrons matching the rest of the rule whose Status change time is unknown (not selected). */
  unknownDates: number;
  /** Whether it takes Active patrons (needs an explicit extra confirmation). */
  removesActive: boolean;
}

/** How a removal is asked for. */
export interface RemovalAsk {
  /** Who (a staff username, `cli`). */
  requestedBy: string;
  /** The count the person saw and typed; absent (the CLI with --yes) takes what the rule selects now. */
  expectCount?: number | undefined;
  /** The explicit yes a rule taking Active patrons needs. */
  allowActive?: boolean | undefined;
  /**
   * Writes the archive somewhere of the caller's (the CLI's --archive file) before anything is
   * deleted; when it throws, nothing is.
   */
  writeArchive?: ((csv: string) => Promise<void>) | undefined;
  /** Days the archive is kept with the operation (default DEFAULT_REMOVAL_ARCHIVE_DAYS). */
  archiveDays?: number | undefined;
}

/** What a removal did. */
export interface RemovalResult {
  /** The Patron Removal operation. */
  operation: Operation;
  /** Patrons removed. */
  removed: number;
  /** The archive's file name (download it from the operation). */
  archiveName: string;
}

/** SPEC §8's `patrons remove --json`: `{"operation": ID|null, "removed": N, "archive": PATH|null}`. */
export interface RemovalJson {
  /** The operation; null for a dry run. */
  operation: number | null;
  /** Removed (a dry run: the count that would be). */
  removed: number;
  /** The archive's path, or null when none was written. */
  archive: string | null;
}

/** Checks the parts of a rule the store cannot (the site exists); the refusal is one sentence. */
export async function checkRule(store: Pick<Repositories, 'sites'>, libraryId: number, rule: RemovalRule): Promise<void> {
  if (rule.site !== undefined) await requireSite(store, libraryId, rule.site);
}

/** Who the rule would remove now: the count, a page of them, and what the preview must say. */
export async function previewRemoval(
  store: Store,
  libraryId: number,
  rule: RemovalRule,
  page: { limit?: number; offset?: number } = {},
): Promise<RemovalPreview> {
  await checkRule(store, libraryId, rule);
  const limit = Math.min(Math.max(1, Math.trunc(page.limit ?? PREVIEW_PAGE)), MAX_PREVIEW_PAGE);
  const offset = Math.max(0, Math.trunc(page.offset ?? 0));
  const found = await store.removals.page(libraryId, rule, { limit, offset });
  return {
    rule,
    ruleText: ruleWords(rule),
    total: found.total,
    items: found.items,
    offset,
    unknownDates: found.unknownDates,
    removesActive: removesActive(rule),
  };
}

/** The archive of who the rule selects now (the download before confirming): the field-number CSV, and how many rows. */
export async function removalArchive(store: Store, libraryId: number, rule: RemovalRule): Promise<{ csv: string; count: number }> {
  await checkRule(store, libraryId, rule);
  const patrons = await store.removals.select(libraryId, rule);
  return { csv: archiveOf(patrons), count: patrons.length };
}

/** The archive's file name for a removal: `removal-<operation>-<day>.csv`. */
export function archiveName(operationId: number | null, at: Date): string {
  return `removal-${operationId ?? 'preview'}-${at.toISOString().slice(0, 10)}.csv`;
}

/** "No patron matches …": said by every interface when a rule selects nobody. */
export function nothingMatches(rule: RemovalRule): RollcallError {
  return new RollcallError('invalid_input', `No patron matches this rule (${ruleWords(rule)}): nothing to remove.`);
}

/**
 * Removes the patrons the rule selects, in one transaction, as a Patron Removal operation (see
 * the module comment). Refusals, each one sentence with nothing removed: another operation
 * running; no patron matches; Active patrons without the explicit yes; a count that changed since
 * the preview; an archive that cannot be written.
 */
export async function removePatrons(store: Store, libraryId: number, rule: RemovalRule, ask: RemovalAsk): Promise<RemovalResult> {
  await checkRule(store, libraryId, rule);
  if (removesActive(rule) && !ask.allowActive) throw activeRefusal();
  const words = ruleWords(rule);
  return store.transaction(async (tx) => {
    // One operation per library at a time: never beside a sync, an import or an undo.
    const operation = await startOwnOperation(tx.operations, libraryId, {
      type: OPERATION_TYPES.patronRemoval,
      source: REMOVAL_SOURCE,
      requestedBy: ask.requestedBy,
    });
    const opId = operation.id;
    const patrons = await tx.removals.select(libraryId, rule);
    if (patrons.length === 0) throw nothingMatches(rule);
    if (ask.expectCount !== undefined && ask.expectCount !== patrons.length) {
      throw new RollcallError(
        'conflict',
        `This rule now selects ${countOf(patrons.length, 'patron')}, not the ${ask.expectCount} previewed: nothing was removed. Preview it again.`,
      );
    }
    const csv = archiveOf(patrons);
    if (ask.writeArchive) {
      try {
        await ask.writeArchive(csv);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        throw new RollcallError('invalid_input', `The archive could not be written (${why}); nothing was removed.`);
      }
    }
    const startedAt = Date.parse(operation.createdAt);
    const name = archiveName(opId, new Date(startedAt));
    await appendLog(tx, libraryId, opId, [
      { level: 'info', message: `Removal of ${words}: ${countOf(patrons.length, 'patron')}; archive ${name}.` },
      ...patrons.map(
        (p): LogLine => ({
          level: 'info',
          sourcedId: p.guid,
          message: `Removed: ${[p.firstName, p.lastName].filter(Boolean).join(' ') || '(no name)'}${p.barcode ? ` (${p.barcode})` : ''}, patron ${p.id}`,
        }),
      ),
    ]);
    await tx.removals.deletePatrons(libraryId, patrons, { operationId: opId, actor: ask.requestedBy });
    // A deleted patron's conflict items close: there is no patron left to link or to keep apart.
    const closed = await tx.conflicts.closeForPatrons(
      libraryId,
      patrons.map((p) => p.id),
      `removal #${opId}`,
      `Closed: a patron it named was removed (operation ${opId}).`,
      opId,
    );
    if (closed > 0)
      await appendLog(tx, libraryId, opId, [{ level: 'info', message: `${countOf(closed, 'conflict item')} naming them closed.` }]);
    const days = ask.archiveDays ?? DEFAULT_REMOVAL_ARCHIVE_DAYS;
    const expires = new Date(startedAt + days * 86_400_000).toISOString();
    await tx.removals.record(libraryId, {
      operationId: opId,
      rule,
      ruleText: words,
      removed: patrons.length,
      archive: csv,
      archiveName: name,
      archiveExpiresAt: expires,
    });
    const finished = await tx.operations.finish(libraryId, opId, {
      state: 'succeeded',
      counts: zeroCounts(),
      summary: `Removed ${countOf(patrons.length, 'patron')}: ${words}. The archive (${name}) is kept until ${expires.slice(0, 10)}; import it to bring them back.`,
    });
    if (!finished) throw new Error(`operation ${opId} was ended while the removal ran`);
    return { operation: (await tx.operations.get(libraryId, opId))!, removed: patrons.length, archiveName: name };
  });
}

/** The refusal of a rule taking Active patrons without the explicit yes. */
export function activeRefusal(): RollcallError {
  return new RollcallError(
    'invalid_input',
    'This rule removes Active patrons: that needs an explicit extra confirmation (never the default); nothing was removed.',
  );
}

/** The archive: the export's field-number header, then one line per patron (what `patrons import` reads). */
function archiveOf(patrons: readonly Patron[]): string {
  let csv = `${csvHeader()}\n`;
  for (const p of patrons) csv += `${csvLine(p)}\n`;
  return csv;
}

async function appendLog(tx: Repositories, libraryId: number, id: number, lines: readonly LogLine[]): Promise<void> {
  for (let i = 0; i < lines.length; i += LOG_CHUNK) await tx.operations.appendLog(libraryId, id, lines.slice(i, i + LOG_CHUNK));
}

/** Who deletes one patron, and what they typed to confirm. */
export interface DeleteAsk {
  /** What the person typed: the patron's barcode or name (any case). `undefined`: confirmed otherwise (the CLI's --yes). */
  confirm?: string | undefined;
  /** The staff account (web, API), or null (the CLI). */
  staffUserId: number | null;
  /** Who, as the journal keeps it (a username, `cli`). */
  actor: string;
}

/** The words a person may type to confirm deleting this patron: its barcode, or its name ("First Last" or "Last, First"). */
export function confirmWords(p: Patron): string[] {
  const words = [p.barcode, [p.firstName, p.lastName].filter(Boolean).join(' '), [p.lastName, p.firstName].filter(Boolean).join(', ')];
  return words.map(normal).filter((w) => w !== '');
}

/**
 * Deletes one patron (SPEC §3.10 "A single patron can be deleted from their page"): journaled as
 * the removal of one (by the staff account), their sign-in sessions ended and conflict items
 * naming them closed, in one transaction. Not beside a running operation: a sync may be about to
 * write the patron.
 */
export async function deletePatron(store: Store, libraryId: number, patronId: number, ask: DeleteAsk): Promise<Patron> {
  return store.transaction(async (tx) => {
    const patron = await tx.patrons.get(libraryId, patronId);
    if (!patron) throw new RollcallError('not_found', `There is no patron #${patronId} in this library.`);
    if (ask.confirm !== undefined && !confirmWords(patron).includes(normal(ask.confirm))) {
      throw new RollcallError('invalid_input', "Type the patron's barcode or name exactly to confirm; nothing was deleted.");
    }
    const active = (await tx.operations.list(libraryId, { limit: 1 }))[0];
    if (active && (active.state === 'queued' || active.state === 'running')) throw new RollcallError('conflict', busyRefusal(active));
    await tx.removals.deletePatrons(libraryId, [patron], { staffUserId: ask.staffUserId, actor: ask.actor });
    await tx.conflicts.closeForPatrons(libraryId, [patron.id], ask.actor, `Closed: a patron it named was deleted by ${ask.actor}.`, null);
    return patron;
  });
}

function normal(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}
