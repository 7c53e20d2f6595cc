/**
 * `rollcall patrons import FILE.csv`, `rollcall patrons export [--format csv|json|koha] [filters]` and
 * `rollcall patrons history (--guid G | --barcode B) [--json]`, and field locks: `rollcall patrons
 * lock|unlock (--guid G | --barcode B) FIELD...` and `rollcall patrons locks [--json]`.
 */
import { basename } from 'node:path';
import { RollcallError } from '../../domain/errors.ts';
import { FIELDS, type PatronFieldKey } from '../../domain/fields.ts';
import { listLocks, lockFields, lockableFields, unlockFields } from '../../services/patrons/field-locks.ts';
import { EXPORT_FORMATS, exportPatrons, type ExportFormat } from '../../services/patrons/export-patrons.ts';
import { importPatrons, openImportFile } from '../../services/patrons/import-patrons.ts';
import { patronByKey } from '../../services/patrons/find-patron.ts';
import { historyRow, wholeHistory } from '../../presenters/patron-history.ts';
import { table } from '../../presenters/format.ts';
import { EXIT_FAILURE, EXIT_OK } from '../exit.ts';
import type { Handler } from '../context.ts';
import { withApp } from './with-app.ts';

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
      `rollcall: ${report.rejected.length} row(s) of ${path} were rejected (first: line ${first.line}, ${first.message}); nothing was imported — fix them and import the file again.`,
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
      ctx.out.note(`rollcall: ${report.withoutBarcode} patron(s) without a Barcode were left out: Koha matches patrons on cardnumber.`);
    return EXIT_OK;
  });

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
