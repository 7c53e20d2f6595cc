/**
 * `rollcall sync` and `rollcall operations …` through the CLI's entry (in this process: see
 * cli-support.ts) against a ClassLink emulator on loopback, on SQLite and on PostgreSQL: the
 * exact `sync --json` object, dry runs, idempotence, deltas, exit 3 for "needs review" with
 * approve and reject, exit 1 for a failed or refused sync, the operations views and logs, and
 * no secret in any output or log.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { dbEnv, rollcallHere, type CliRun } from './cli-support.ts';
import { describeEachDatabase } from './support/db.ts';

const COUNT_KEYS = ['created', 'updated', 'unchanged', 'transferred', 'reactivated', 'skipped', 'conflicts', 'warnings'];

describeEachDatabase('cli: sync and operations', (db) => {
  let emulator: RunningEmulator;
  const outputs: string[] = [];
  beforeAll(async () => {
    // One emulator per engine: the tests change its district.
    emulator = await startEmulator({ district: { students: 150, seed: `cli-sync-${db.dialect}` } });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  const cli = async (args: string[], env: Record<string, string> = {}): Promise<CliRun> => {
    const run = await rollcallHere(args, { ...dbEnv(db), ...env });
    outputs.push(run.stdout, run.stderr);
    return run;
  };

  /** A library configured against the emulator, two schools matched, ClassLink enabled. */
  async function readyLibrary(): Promise<{ code: string; id: number; orgs: string[] }> {
    const lib = await db.newLibrary();
    const c = emulator.credentials;
    const at = ['--library', lib.code];
    expect(
      (
        await cli([
          'classlink',
          'configure',
          '--roster-url',
          emulator.url,
          '--client-id',
          c.clientId,
          '--client-secret',
          c.clientSecret,
          ...at,
        ])
      ).code,
    ).toBe(0);
    const schools = (JSON.parse((await cli(['classlink', 'schools', '--json', ...at])).stdout) as { sourcedId: string }[])
      .map((s) => s.sourcedId)
      .sort();
    const orgs = schools.slice(0, 2);
    for (const [i, org] of orgs.entries()) {
      expect((await cli(['sites', 'add', '--code', `S${i + 1}`, '--name', `School ${i + 1}`, ...at])).code).toBe(0);
      expect((await cli(['classlink', 'match-site', `S${i + 1}`, org, ...at])).code).toBe(0);
    }
    expect((await cli(['classlink', 'enable', ...at])).code).toBe(0);
    return { code: lib.code, id: lib.id, orgs };
  }

  /** An active student whose first org is `org`. */
  async function studentAt(org: string, skip = 0): Promise<string> {
    const res = await fetch(
      `${emulator.url}/${emulator.credentials.appId}/ims/oneroster/v1p1/schools/${org}/students?limit=50&sort=sourcedId`,
      {
        headers: { authorization: `Bearer ${emulator.credentials.bearerToken}` },
      },
    );
    const body = (await res.json()) as { users: { sourcedId: string; status: string; orgs: { sourcedId: string }[] }[] };
    const ids = body.users.filter((u) => u.status === 'active' && u.orgs[0]?.sourcedId === org).map((u) => u.sourcedId);
    return ids[skip]!;
  }

  it('prints exactly the contract object with --json; a dry run writes nothing; a second sync changes nothing', async () => {
    const lib = await readyLibrary();
    const at = ['--library', lib.code];

    const dry = await cli(['sync', '--dry-run', '--json', ...at]);
    expect(dry.code, dry.stderr).toBe(0);
    const dryResult = JSON.parse(dry.stdout);
    expect(Object.keys(dryResult)).toEqual(['operation', 'state', 'counts', 'complete']);
    expect(Object.keys(dryResult.counts)).toEqual(COUNT_KEYS);
    expect(dryResult.counts.created).toBeGreaterThan(0);
    expect(dryResult.complete).toBe(true);
    expect(dry.stderr).toBe('');
    expect((await cli(['patrons', 'export', '--format', 'json', ...at])).stdout.trim()).toBe('[]');

    const full = JSON.parse((await cli(['sync', '--json', ...at])).stdout);
    expect(full).toMatchObject({ state: 'succeeded', complete: true });
    expect(full.counts.created).toBe(dryResult.counts.created);
    expect(full.operation).toBeGreaterThan(dryResult.operation);

    const again = await cli(['sync', '--full', '--json', ...at]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).counts).toMatchObject({ created: 0, updated: 0, transferred: 0, unchanged: full.counts.created });

    const text = await cli(['sync', ...at]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Operation \d+ \(ClassLink Full Sync\): succeeded\./);
    expect(text.stdout).toContain('0 created, 0 updated');
    expect(text.stdout).toMatch(/rollcall operations log \d+/);
  });

  it('runs a delta that reads only changes: a rename updates, a tobedeleted transfers', async () => {
    const lib = await readyLibrary();
    const at = ['--library', lib.code];
    expect((await cli(['sync', '--json', ...at])).code).toBe(0);
    const renamed = await studentAt(lib.orgs[0]!, 0);
    const leaving = await studentAt(lib.orgs[0]!, 1);
    emulator.mutate.changeUser(renamed, { familyName: 'Delta-Renamed' });
    emulator.mutate.markToBeDeleted(leaving);

    const delta = await cli(['sync', '--delta', '--json', ...at]);
    expect(delta.code, delta.stderr).toBe(0);
    expect(JSON.parse(delta.stdout).counts).toMatchObject({ created: 0, updated: 1, transferred: 1 });
    const patrons = JSON.parse((await cli(['patrons', 'export', '--format', 'json', ...at])).stdout) as {
      guid: string;
      lastName: string;
      status: number;
    }[];
    expect(patrons.find((p) => p.guid === renamed)!.lastName).toBe('Delta-Renamed');
    expect(patrons.find((p) => p.guid === leaving)!.status).toBe(4);
    const list = JSON.parse((await cli(['operations', 'list', '--json', ...at])).stdout) as { typeName: string }[];
    expect(list[0]!.typeName).toBe('ClassLink Delta Sync');
  });

  it('exits 3 when a sync stops for review; approve applies it, reject discards it', async () => {
    const lib = await readyLibrary();
    const at = ['--library', lib.code];
    expect((await cli(['sync', '--json', ...at])).code).toBe(0);
    expect((await cli(['classlink', 'options', '--max-update-pct', '0', ...at])).code).toBe(0);

    const student = await studentAt(lib.orgs[1]!, 0);
    emulator.mutate.changeUser(student, { givenName: 'Reviewed' });
    const held = await cli(['sync', '--json', ...at]);
    expect(held.code).toBe(3);
    const heldResult = JSON.parse(held.stdout);
    expect(heldResult).toMatchObject({ state: 'needs_review', counts: { updated: 1 } });

    const shown = JSON.parse((await cli(['operations', 'show', String(heldResult.operation), '--json', ...at])).stdout);
    expect(shown.state).toBe('needs_review');
    const updates = shown.plan.find((k: { kind: string }) => k.kind === 'update');
    expect(updates.total).toBe(1);
    expect(updates.first[0]).toMatch(/First Name: .+ → Reviewed/);
    const shownText = await cli(['operations', 'show', String(heldResult.operation), ...at]);
    expect(shownText.stdout).toContain('Plan:');
    expect(shownText.stdout).toContain('update (1):');

    const approved = await cli(['operations', 'approve', String(heldResult.operation), '--json', ...at]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ operation: heldResult.operation, state: 'succeeded', counts: { updated: 1 } });
    const patrons = JSON.parse((await cli(['patrons', 'export', '--format', 'json', ...at])).stdout) as {
      guid: string;
      firstName: string;
    }[];
    expect(patrons.find((p) => p.guid === student)!.firstName).toBe('Reviewed');

    emulator.mutate.changeUser(student, { givenName: 'Rejected' });
    const heldAgain = await cli(['sync', ...at]);
    expect(heldAgain.code).toBe(3);
    expect(heldAgain.stdout).toContain('needs review');
    const id = /Operation (\d+)/.exec(heldAgain.stdout)![1]!;
    const rejected = await cli(['operations', 'reject', id, ...at]);
    expect(rejected.code).toBe(0);
    expect(rejected.stdout).toContain('nothing was written');
    const after = JSON.parse((await cli(['patrons', 'export', '--format', 'json', ...at])).stdout) as { guid: string; firstName: string }[];
    expect(after.find((p) => p.guid === student)!.firstName).toBe('Reviewed');

    const twice = await cli(['operations', 'approve', id, ...at]);
    expect(twice.code).toBe(1);
    expect(twice.stderr.trim().split('\n')).toHaveLength(1);
    expect(twice.stderr).toMatch(/^rollcall: Operation \d+ is not waiting for review/);
  });

  it('exits 1 with one line on stderr when a sync fails, and still prints the JSON object', async () => {
    const lib = await readyLibrary();
    const at = ['--library', lib.code];
    emulator.setFaults({ failAfter: { requests: 1, status: 503 } });
    try {
      const failed = await cli(['sync', '--json', ...at], { ROLLCALL_RETRY_ATTEMPTS: '1' });
      expect(failed.code).toBe(1);
      expect(JSON.parse(failed.stdout)).toMatchObject({ state: 'failed', complete: false });
      expect(failed.stderr.trim().split('\n')).toHaveLength(1);
      expect(failed.stderr).toMatch(/^rollcall: .*503/);
    } finally {
      emulator.setFaults({});
    }
    expect((await cli(['classlink', 'disable', ...at])).code).toBe(0);
    const refused = await cli(['sync', '--json', ...at]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^rollcall: ClassLink is not enabled/);
  });

  it('returns the running sync instead of starting another (exit 1, saying so)', async () => {
    const lib = await readyLibrary();
    const running = await db
      .store()
      .operations.create(lib.id, { type: 'classlink_full_sync', source: 'classlink', requestedBy: 'someone else' });
    const run = await cli(['sync', '--json', '--library', lib.code]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).operation).toBe(running.operation.id);
    expect(run.stderr).toMatch(/^rollcall: another sync of this library is already queued \(operation \d+\)/);
    await db.store().operations.finish(lib.id, running.operation.id, { state: 'failed', error: 'test' });
  });

  it('lists operations newest first, shows one, and prints its log as text and as CSV', async () => {
    const lib = await readyLibrary();
    const at = ['--library', lib.code];
    const dry = JSON.parse((await cli(['sync', '--dry-run', '--json', ...at])).stdout);
    const full = JSON.parse((await cli(['sync', '--json', ...at])).stdout);

    const list = JSON.parse((await cli(['operations', 'list', '--json', ...at])).stdout) as {
      id: number;
      typeName: string;
      requestedBy: string;
      durationMs: number;
    }[];
    expect(list.map((o) => o.id)).toEqual([full.operation, dry.operation]);
    expect(list.map((o) => o.typeName)).toEqual(['ClassLink Full Sync', 'Dry Run']);
    expect(list[0]).toMatchObject({ requestedBy: 'cli', state: 'succeeded' });
    expect(list[0]!.durationMs).toBeGreaterThanOrEqual(0);
    const table = await cli(['operations', 'list', ...at]);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+TYPE\s+STARTED \(UTC\)\s+BY\s+STATE\s+DURATION\s+COUNTS$/);

    const dryShown = JSON.parse((await cli(['operations', 'show', String(dry.operation), '--json', ...at])).stdout);
    expect(dryShown.plan.find((k: { kind: string }) => k.kind === 'create').total).toBe(dry.counts.created);
    const fullShown = JSON.parse((await cli(['operations', 'show', String(full.operation), '--json', ...at])).stdout);
    expect(fullShown).toMatchObject({ id: full.operation, typeName: 'ClassLink Full Sync', complete: true, plan: null, error: '' });

    const text = await cli(['operations', 'log', String(full.operation), ...at]);
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(full.counts.created);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z info Full sync of 2 matched sites/);
    expect(lines.some((l) => /^\S+ info \[[^\]]+\] Created: /.test(l))).toBe(true);

    const csv = await cli(['operations', 'log', String(full.operation), '--format', 'csv', ...at]);
    // A spreadsheet's CSV: a UTF-8 byte-order mark first (docs/web.md), read as csv-parse reads it.
    expect(csv.stdout.startsWith('\uFEFF')).toBe(true);
    const rows = parse(csv.stdout, { bom: true }) as string[][];
    expect(rows[0]).toEqual(['time', 'level', 'sourcedId', 'message']);
    expect(rows.length).toBe(lines.length + 1);
    expect(rows.every((r) => r.length === 4)).toBe(true);
    expect(rows[1]![3]).toContain('roles: student, teacher');

    expect((await cli(['operations', 'show', '99999', ...at])).code).toBe(1);
    expect((await cli(['operations', 'log', '99999', ...at])).stdout).toBe('');
    expect((await cli(['operations', 'show', 'abc', ...at])).code).toBe(2);
  });

  it('never printed or logged a secret', async () => {
    const all = outputs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    const c = emulator.credentials;
    for (const secret of [c.clientSecret, c.bearerToken, c.partnerKey]) expect(all).not.toContain(secret);
  });
});
