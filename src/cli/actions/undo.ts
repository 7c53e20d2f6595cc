/**
 * `rollcall operations undo ID [--dry-run] [--json]` (SPEC §3.9, §8): `--dry-run` prints the
 * preview; without it the undo is applied at once, as an operation of its own. `--json` prints
 * SPEC §8's `{"operation", "state", "reverted", "kept"}` (a dry run: the undone operation's id,
 * state `preview`). A refusal is one line on stderr, exit 1, nothing changed.
 */
import { RollcallError } from '../../domain/errors.ts';
import { operationTypeName } from '../../domain/operation.ts';
import { applyUndo, previewUndo, undoJson, type UndoKeptLine, type UndoPreview } from '../../services/operations/undo-operation.ts';
import type { Handler } from '../context.ts';
import { EXIT_OK } from '../exit.ts';
import { withApp } from './with-app.ts';
import { countOf } from '../../domain/words.ts';

/** Kept fields printed (the operation's log lists them all). */
const KEPT_SHOWN = 50;

/** `operations undo ID [--dry-run] [--json]` */
export const undo: Handler = async (ctx, args, opts) => {
  const id = operationId(args[0]);
  return withApp(ctx, async (app) => {
    if (opts.dryRun) {
      const preview = await previewUndo(app.store, app.library.id, id);
      if (opts.json) await ctx.out.json(undoJson(preview));
      else await ctx.out.lines(...previewLines(preview));
      return EXIT_OK;
    }
    const result = await applyUndo(app.store, app.library.id, id, { requestedBy: 'cli' });
    // Without a preview to confirm there is no "changed since the preview": only a race inside the apply.
    if (result.status !== 'applied')
      throw new RollcallError('conflict', 'The patrons changed while the undo ran; nothing was applied. Try again.');
    if (opts.json) await ctx.out.json(undoJson(result));
    else {
      const op = result.operation;
      await ctx.out.lines(
        `Operation ${op.id} (${operationTypeName(op.type, op.source, op.undoOf)}): ${countOf(result.reverted, 'field')} put back, ${result.kept} kept (changed again since).`,
        ...(result.kept > 0 ? [`Kept fields are listed in its log: rollcall operations log ${op.id}`] : []),
      );
    }
    return EXIT_OK;
  });
};

function previewLines(p: UndoPreview): string[] {
  const lines = [
    `Undo of operation ${p.operation.id} (${p.name}) would put back ${countOf(p.reverted, 'field')}: ${countOf(p.patrons.transferred, 'patron')} set Transferred, ${p.patrons.reactivated} set back from Transferred, ${p.patrons.updated} with other fields restored.`,
    `${countOf(p.kept, 'field')} would be kept: changed again since.`,
  ];
  for (const k of p.keptFields.slice(0, KEPT_SHOWN)) lines.push(`  ${keptLine(k)}`);
  if (p.kept > KEPT_SHOWN) lines.push(`  … and ${p.kept - KEPT_SHOWN} more`);
  lines.push(`Nothing was written. To undo it: rollcall operations undo ${p.operation.id}`);
  return lines;
}

function keptLine(k: UndoKeptLine): string {
  const who = `patron ${k.patron.id}${k.patron.name ? ` ${k.patron.name}` : ''}${k.patron.barcode ? ` (${k.patron.barcode})` : ''}`;
  return `${who}: ${k.label} "${k.now}" kept (the operation wrote "${k.wrote}"): ${k.reason}`;
}

function operationId(text: string | undefined): number {
  const v = (text ?? '').trim();
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > Number.MAX_SAFE_INTEGER) {
    throw new RollcallError('usage', `An operation id is a whole number (see \`rollcall operations list\`), not "${v}".`);
  }
  return Number(v);
}
