/**
 * Measures the undo of one large operation (SPEC §3.9) on SQLite or PostgreSQL: N patrons, half
 * created by the operation (one `*` journal row each: set Transferred) and half updated by it
 * (two fields each: put back), so 1.5 × N field reverts; then previewUndo and applyUndo (which
 * checks the preview once more, takes the slot, and writes, journals and logs in one transaction).
 *
 *     npx tsx bench/undo.ts [N] [postgres://…]      # default 20,000 on SQLite
 *
 * Prints the load average too: on a shared machine, wall times scale with it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { emptyPatronValues } from '../src/domain/patron.ts';
import { applyUndo, previewUndo } from '../src/services/operations/undo-operation.ts';
import { openStore, type PatronWrite } from '../src/store/store.ts';

const count = Number(process.argv[2] ?? 20_000);
const pgUrl = process.argv[3] ?? '';
const folder = mkdtempSync(join(tmpdir(), 'rollcall-bench-undo-'));
const schema = `bench_undo_${process.pid}`;
const store = await openStore({
  url: pgUrl || `sqlite:${join(folder, 'bench.db')}`,
  dataDir: folder,
  secretKey: randomBytes(32).toString('hex'),
  ...(pgUrl ? { pgSchema: schema } : {}),
});
try {
  const lib = await store.libraries.create({ code: `bench-undo-${process.pid}`, name: 'Undo bench', timezone: 'UTC' });
  await store.sites.add(lib.id, { code: 'ES', name: 'ES' });
  const op = (await store.operations.create(lib.id, { type: 'classlink_full_sync', source: 'classlink', requestedBy: 'bench' })).operation;
  await store.operations.start(lib.id, op.id);
  const rows: PatronWrite[] = Array.from({ length: count }, (_, i) => ({
    ...emptyPatronValues(),
    guid: `g${i}`,
    firstName: `F${i}`,
    lastName: `L${i}`,
    site: 'ES',
    policy: 'Student',
    guidSource: 'classlink',
    matchedBy: 'guid',
  }));
  const half = Math.floor(count / 2);
  await store.transaction(async (tx) => {
    const ids = await tx.patrons.insertMany(lib.id, rows);
    await tx.journal.appendCreated(lib.id, { operationId: op.id }, ids.slice(half), 'create');
    await tx.journal.append(
      lib.id,
      { operationId: op.id },
      ids.slice(0, half).flatMap((id, i) => [
        { patronId: id, field: 'firstName' as const, oldValue: `Old${i}`, newValue: `F${i}`, kind: 'update' as const },
        { patronId: id, field: 'lastName' as const, oldValue: `OldL${i}`, newValue: `L${i}`, kind: 'update' as const },
      ]),
    );
    await tx.operations.finish(lib.id, op.id, { state: 'succeeded' });
  });
  const load = loadavg()[0]!.toFixed(1);
  let t = performance.now();
  const preview = await previewUndo(store, lib.id, op.id);
  const previewMs = performance.now() - t;
  t = performance.now();
  const result = await applyUndo(store, lib.id, op.id, { requestedBy: 'bench', expect: preview });
  const applyMs = performance.now() - t;
  console.log(
    `${store.dialect}: ${count} patrons, ${preview.reverted} reverts — preview ${(previewMs / 1000).toFixed(2)} s, apply ${(applyMs / 1000).toFixed(2)} s (${result.status}); load ${load} → ${loadavg()[0]!.toFixed(1)}`,
  );
} finally {
  await store.close();
  rmSync(folder, { recursive: true, force: true });
  if (pgUrl) {
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  }
}
