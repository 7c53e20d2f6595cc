/**
 * `rollcall patrons import FILE.csv`, `rollcall patrons export [--format csv|json|koha] [filters]` and
 * `rollcall patrons history (--guid G | --barcode B) [--json]`.
 */
import { basename } from 'node:path';
import { RollcallError } from '../../domain/errors.ts';
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
