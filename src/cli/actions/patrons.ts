/**
 * `rollcall patrons import FILE.csv`, `rollcall patrons export [--format csv|json|koha] [filters]` and
 * `rollcall patrons history (--guid G | --barcode B) [--json]`; field locks: `rollcall patrons
 * lock|unlock (--guid G | --barcode B) FIELD...` and `rollcall patrons locks [--json]`; and the end
 * of year's `rollcall patrons remove …` and `rollcall patrons delete …` (SPEC §3.10, §8).
 */
import { writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { RollcallError, isRollcallError } from '../../domain/errors.ts';
import { FIELDS, type PatronFieldKey } from '../../domain/fields.ts';
import { parseRemovalRule, removesActive } from '../../domain/removal.ts';
import { listLocks, lockFields, lockableFields, unlockFields } from '../../services/patrons/field-locks.ts';
import {
  deletePatron,
  nothingMatches,
  previewRemoval,
  removePatrons,
  type RemovalJson,
  type RemovalPreview,
} from '../../services/patrons/remove-patrons.ts';
import { askLine, canAsk } from '../ask.ts';
import { EXPORT_FORMATS, exportPatrons, type ExportFormat } from '../../services/patrons/export-patrons.ts';
import { importPatrons, openImportFile } from '../../services/patrons/import-patrons.ts';
import { patronByKey } from '../../services/patrons/find-patron.ts';
import { historyRow, wholeHistory } from '../../presenters/patron-history.ts';
import { table } from '../../presenters/format.ts';
import { EXIT_FAILURE, EXIT_OK } from '../exit.ts';
import type { Handler } from '../context.ts';
import { withApp } from './with-app.ts';
import { countOf } from '../../domain/words.ts';

/** Rejected rows listed on a terminal before "and N more" (the --json report lists all). */
const REJECTS_LISTED = 50;

/**
 * `patrons import FILE.csv [--json]`. All or nothing: when any row is rejected, none is imported
 * (exit 1) and every rejected line is listed, so the fixed file can simply be imported again.
 * The import is an operation (`Patron Import`, requested by `cli`), so it can be undone.
 */
export const importFile: Handler = async (ctx, args, opts) =>
  withApp(ctx, async (app) => {
    const path = args[0]!;
    const report = await importPatrons(app.store, app.library.id, await openImportFile(path), {
      requestedBy: 'cli',
      fileName: basename(path),
    });
    if (opts.json) {
      await ctx.out.json(report);
    } else {
      const lines = report.rejected.slice(0, REJECTS_LISTED).map((r) => `  line ${r.line}: ${r.message}`);
      if (report.rejected.length > REJECTS_LISTED)
        lines.push(`  … and ${report.rejected.length - REJECTS_LISTED} more (use --json for all)`);
      if (lines.length > 0) await ctx.out.lines('Rejected rows:', ...lines);
      await ctx.out.lines(`${report.imported} imported, ${report.rejected.length} rejected.`);
      // Added after the count line, which scripts may read: the import is an operation (SPEC §3.7, §3.9).
      if (report.operation > 0)
        await ctx.out.lines(
          report.rejected.length === 0
            ? `Operation ${report.operation} (Patron Import): rollcall operations undo ${report.operation} undoes it.`
            : `Operation ${report.operation} (Patron Import) failed: rollcall operations log ${report.operation} lists the rejected rows.`,
        );
    }
    if (report.rejected.length === 0) return EXIT_OK;
    const first = report.rejected[0]!;
    ctx.out.note(
      `rollcall: ${countOf(report.rejected.length, 'row')} of ${path} ${report.rejected.length === 1 ? 'was' : 'were'} rejected (first: line ${first.line}, ${first.message}); nothing was imported — fix them and import the file again.`,
    );
    return EXIT_FAILURE;
  });

/**
 * `patrons export [--format csv|json|koha] [--site CODE] [--status N] [--policy NAME] [--changed-since CURSOR|DATE]`.
 * Koha: patrons without a Barcode are left out (Koha matches on cardnumber), and said so on stderr.
 */
export const exportAll: Handler = async (ctx, _args, opts) =>
  withApp(ctx, async (app) => {
    const format = String(opts.format ?? 'csv');
    if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new RollcallError('usage', '--format takes csv, json or koha.');
    // A bad option is bad usage (exit 2), said before anything is read; the service checks again for the web.
    const status = optionText(opts.status);
    if (status !== undefined && !/^\d{1,4}$/.test(status.trim()))
      throw new RollcallError('usage', `--status takes a Status number (1 Active, 4 Transferred, …), not "${status}".`);
    const report = await exportPatrons(
      app.store,
      app.library.id,
      {
        format: format as ExportFormat,
        siteCode: optionText(opts.site),
        status: optionText(opts.status),
        policy: optionText(opts.policy),
        changedSince: optionText(opts.changedSince),
      },
      (chunk) => ctx.out.write(chunk),
    );
    if (report.withoutBarcode > 0)
      ctx.out.note(
        `rollcall: ${countOf(report.withoutBarcode, 'patron')} without a Barcode ${report.withoutBarcode === 1 ? 'was' : 'were'} left out: Koha matches patrons on cardnumber.`,
      );
    return EXIT_OK;
  });

/** Patrons listed by `patrons remove --dry-run` on a terminal (--json gives the count; the web page lists all). */
const REMOVE_LISTED = 20;

/**
 * `patrons remove [--status N] [--site CODE] [--policy NAME] [--transferred-before YYYY-MM-DD]
 * [--older-than-days N] [--not-synced-since YYYY-MM-DD] [--include-active] [--archive FILE.csv]
 * [--dry-run] [--yes] [--json]` (SPEC §3.10, §8). `--dry-run` counts and lists, nothing removed.
 * Otherwise: without --yes a terminal is asked to type the count; a pipe is refused (exit 2).
 * `--archive` writes the archive (the field-number CSV `patrons import` reads) before anything
 * is deleted: if it cannot be written, nothing is. `--json` prints `{"operation", "removed", "archive"}`.
 */
export const remove: Handler = async (ctx, _args, opts) => {
  const rule = usageOf(() =>
    parseRemovalRule(
      {
        status: optionText(opts.status),
        site: optionText(opts.site),
        policy: optionText(opts.policy),
        changedBefore: optionText(opts.transferredBefore),
        olderThanDays: optionText(opts.olderThanDays),
        notSyncedSince: optionText(opts.notSyncedSince),
      },
      new Date(),
    ),
  );
  const archivePath = optionText(opts.archive);
  if (archivePath !== undefined && archivePath.trim() === '') throw new RollcallError('usage', '--archive takes a file name.');
  if (removesActive(rule) && opts.includeActive !== true)
    throw new RollcallError('usage', 'This rule removes Active patrons: add --include-active to say so explicitly (never the default).');
  if (opts.dryRun !== true && opts.yes !== true && !canAsk())
    throw new RollcallError(
      'usage',
      'patrons remove deletes patrons: preview with --dry-run, then run it with --yes (nothing was removed; no terminal to ask).',
    );
  return withApp(ctx, async (app) => {
    const preview = await previewRemoval(app.store, app.library.id, rule, { limit: REMOVE_LISTED });
    if (opts.dryRun === true) {
      if (opts.json) await ctx.out.json({ operation: null, removed: preview.total, archive: null } satisfies RemovalJson);
      else await ctx.out.lines(...previewLines(preview));
      return EXIT_OK;
    }
    if (preview.total === 0) throw nothingMatches(rule);
    let expectCount: number | undefined;
    if (opts.yes !== true) {
      for (const line of previewLines(preview).slice(0, -1)) ctx.out.note(line);
      const answer = (
        await askLine(
          `Type ${preview.total} to remove ${preview.total === 1 ? 'this patron' : `these ${countOf(preview.total, 'patron')}`}: `,
        )
      ).trim();
      if (answer !== String(preview.total)) throw new RollcallError('usage', 'Not confirmed: nothing was removed.');
      expectCount = preview.total;
    }
    const path = archivePath === undefined ? undefined : resolve(archivePath);
    const result = await removePatrons(app.store, app.library.id, rule, {
      requestedBy: 'cli',
      expectCount,
      allowActive: opts.includeActive === true,
      archiveDays: app.config.jobs.removalArchiveDays,
      ...(path === undefined ? {} : { writeArchive: (csv: string) => writeFile(path, csv, { encoding: 'utf8', flag: 'w' }) }),
    });
    if (opts.json)
      await ctx.out.json({ operation: result.operation.id, removed: result.removed, archive: path ?? null } satisfies RemovalJson);
    else
      await ctx.out.lines(
        `Operation ${result.operation.id} (Patron Removal): ${countOf(result.removed, 'patron')} removed.`,
        path === undefined
          ? `The archive (${result.archiveName}) is kept with the operation: download it from its page; \`rollcall patrons import\` brings them back.`
          : `Archive: ${path} (\`rollcall patrons import ${path}\` brings them back).`,
      );
    return EXIT_OK;
  });
};

function previewLines(p: RemovalPreview): string[] {
  if (p.total === 0)
    return [`No patron matches this rule (${p.ruleText}): nothing would be removed.`, ...unknownLine(p), 'Nothing was removed.'];
  const lines = [`${countOf(p.total, 'patron')} would be removed: ${p.ruleText}.`, ...unknownLine(p)];
  for (const x of p.items)
    lines.push(
      `  #${x.id} ${[x.firstName, x.lastName].filter(Boolean).join(' ') || '(no name)'}${x.barcode ? ` (${x.barcode})` : ''} ${x.site}`,
    );
  if (p.total > p.items.length) lines.push(`  … and ${p.total - p.items.length} more`);
  lines.push('Nothing was removed.');
  return lines;
}

function unknownLine(p: RemovalPreview): string[] {
  if (p.unknownDates === 0) return [];
  return [
    `${countOf(p.unknownDates, 'other patron')} ${p.unknownDates === 1 ? 'matches' : 'match'} but when their Status changed is unknown (before Rollcall recorded it): not included; a rule without a date takes them.`,
  ];
}

/**
 * `patrons delete (--guid G | --barcode B) [--yes]` (SPEC §3.10 "A single patron can be
 * deleted", §8): journaled as a removal of one; their sign-in sessions end and conflict items
 * naming them close. Without --yes a terminal is asked to type the barcode or name; a pipe is refused (exit 2).
 */
export const deleteOne: Handler = async (ctx, _args, opts) => {
  if (opts.yes !== true && !canAsk())
    throw new RollcallError('usage', 'patrons delete deletes a patron: run it with --yes (nothing was deleted; no terminal to ask).');
  return withApp(ctx, async (app) => {
    const patron = await patronByKey(app.store, app.library.id, { guid: optionText(opts.guid), barcode: optionText(opts.barcode) });
    const name = [patron.firstName, patron.lastName].filter(Boolean).join(' ') || '(no name)';
    let confirm: string | undefined;
    if (opts.yes !== true) confirm = await askLine(`Type the barcode or name of patron #${patron.id} ${name} to delete it: `);
    const gone = await deletePatron(app.store, app.library.id, patron.id, { confirm, staffUserId: null, actor: 'cli' });
    await ctx.out.lines(`Deleted patron #${gone.id} ${name}${gone.barcode ? ` (${gone.barcode})` : ''}.`);
    return EXIT_OK;
  });
};

/** A rule typed wrong is bad usage (exit 2), as the contract says of arguments. */
function usageOf<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (isRollcallError(e, 'invalid_input')) throw new RollcallError('usage', e.message);
    throw e;
  }
}

/**
 * `patrons history (--guid G | --barcode B) [--json]`: every change journaled for the patron
 * (SPEC §3.9), newest first; --json prints them as an array (the API's items).
 */
export const history: Handler = async (ctx, _args, opts) =>
  withApp(ctx, async (app) => {
    const key = { guid: optionText(opts.guid), barcode: optionText(opts.barcode) };
    const patron = await patronByKey(app.store, app.library.id, key);
    const items = await wholeHistory(app.store, app.library.id, patron.id);
    if (opts.json) {
      await ctx.out.json(items);
      return EXIT_OK;
    }
    if (items.length === 0) {
      await ctx.out.lines(`No changes recorded for patron #${patron.id}.`);
      return EXIT_OK;
    }
    const rows = items
      .map(historyRow)
      .map((h) => [
        h.at.replace('T', ' ').slice(0, 19),
        h.fieldText,
        h.oldShown,
        h.newShown,
        h.kind,
        h.operation ? `#${h.operation.id} ${h.operation.name}` : h.by,
      ]);
    await ctx.out.lines(...table(['WHEN (UTC)', 'FIELD', 'BEFORE', 'AFTER', 'KIND', 'BY'], rows));
    return EXIT_OK;
  });

function optionText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * `patrons lock (--guid G | --barcode B) FIELD...`: no sync writes these fields of the patron
 * until they are unlocked (SPEC §3.8). FIELD is a JSON key of the export or a field number.
 */
export const lock: Handler = async (ctx, args, opts) =>
  withApp(ctx, async (app) => {
    fieldArguments(args);
    const patron = await patronByKey(app.store, app.library.id, { guid: optionText(opts.guid), barcode: optionText(opts.barcode) });
    const r = await lockFields(app.store, app.library.id, patron.id, args, 'cli');
    if (opts.json) await ctx.out.json(r);
    else
      await ctx.out.lines(
        `Locked ${labels(r.fields)} of patron #${r.patronId}${r.name ? ` (${r.name})` : ''}: no sync writes ${r.fields.length === 1 ? 'it' : 'them'} until unlocked.`,
      );
    return EXIT_OK;
  });

/** `patrons unlock (--guid G | --barcode B) FIELD...`: the next sync writes these fields again. */
export const unlock: Handler = async (ctx, args, opts) =>
  withApp(ctx, async (app) => {
    fieldArguments(args);
    const patron = await patronByKey(app.store, app.library.id, { guid: optionText(opts.guid), barcode: optionText(opts.barcode) });
    const r = await unlockFields(app.store, app.library.id, patron.id, args);
    if (opts.json) await ctx.out.json(r);
    else {
      const who = `patron #${r.patronId}${r.name ? ` (${r.name})` : ''}`;
      await ctx.out.lines(
        r.changed === 0
          ? `${labels(r.fields)} of ${who} ${r.fields.length === 1 ? 'was' : 'were'} not locked; nothing changed.`
          : `Unlocked ${labels(r.fields)} of ${who}: the next sync writes ${r.fields.length === 1 ? 'it' : 'them'} again.`,
      );
    }
    return EXIT_OK;
  });

/** `patrons locks [--json]`: every locked field of the library's patrons. */
export const locks: Handler = async (ctx, _args, opts) =>
  withApp(ctx, async (app) => {
    const all = await listLocks(app.store, app.library.id);
    if (opts.json) {
      await ctx.out.json(all);
      return EXIT_OK;
    }
    if (all.length === 0) {
      await ctx.out.lines('No field is locked: every sync writes the fields it maps.');
      return EXIT_OK;
    }
    const rows = all.map((l) => [
      `#${l.patronId}`,
      [l.firstName, l.lastName].filter((s) => s !== '').join(' '),
      l.guid,
      l.barcode,
      `${l.fieldNumber} ${l.fieldLabel}`,
      l.lockedBy,
      l.lockedAt.replace('T', ' ').slice(0, 16),
    ]);
    await ctx.out.lines(...table(['PATRON', 'NAME', 'GUID', 'BARCODE', 'FIELD', 'LOCKED BY', 'WHEN (UTC)'], rows));
    return EXIT_OK;
  });

/** The FIELD arguments checked first: a name that is no lockable field is bad usage (exit 2), said in one line. */
function fieldArguments(args: readonly string[]): void {
  try {
    lockableFields(args);
  } catch (e) {
    if (e instanceof RollcallError) throw new RollcallError('usage', e.message);
    throw e;
  }
}

function labels(fields: readonly PatronFieldKey[]): string {
  return fields.map((k) => FIELDS.find((f) => f.key === k)?.label ?? k).join(', ');
}
