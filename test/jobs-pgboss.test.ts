/**
 * The pg-boss transport on a real PostgreSQL (skipped visibly without one): its tables in a
 * schema of their own, singleton keys, handlers that throw becoming failed outcomes, the
 * waiting check the reaper uses, and a graceful stop.
 */
import pg from 'pg';
import { expect, it } from 'vitest';
import { testConfig } from '../src/config/load.ts';
import { jobsSchema, openQueue } from '../src/jobs/open-queue.ts';
import { checkJobsSchema, type PgBossQueue } from '../src/jobs/pgboss-queue.ts';
import type { JobOutcome, JobRecord } from '../src/jobs/types.ts';
import { isRollcallError } from '../src/domain/errors.ts';
import { describePostgres, until } from './jobs-support.ts';

describePostgres('jobs: the pg-boss queue', (db) => {
  it("keeps pg-boss's tables in <schema>_jobs, drops a duplicate waiting job, runs jobs and turns a throw into a failed outcome", async () => {
    const config = testConfig({ ROLLCALL_DATABASE_URL: db().url });
    expect(jobsSchema(config)).toBe(db().jobsSchema);
    const ran: { job: JobRecord; outcome: JobOutcome }[] = [];
    const queue = (await openQueue(config, db().store, {
      onOutcome: (job, outcome) => ran.push({ job, outcome }),
      pollingSeconds: 0.5,
    })) as PgBossQueue;
    try {
      expect(queue.transport).toBe('pg-boss');
      const client = new pg.Client({ connectionString: db().url });
      await client.connect();
      const tables = await client.query<{ table_schema: string }>(
        "select distinct table_schema from information_schema.tables where table_name = 'job' and table_schema like $1",
        [`${db().schema}%`],
      );
      await client.end();
      expect(tables.rows.map((r) => r.table_schema)).toEqual([db().jobsSchema]);

      const payload = (libraryId: number) => ({ libraryId, kind: 'full' as const, dryRun: false, requestedBy: 'test' });
      expect(await queue.send('sync', payload(1), { singletonKey: 'sync:1' })).toEqual(expect.any(String));
      expect(await queue.send('sync', payload(1), { singletonKey: 'sync:1' })).toBeNull();
      expect(await queue.send('sync', payload(2), { singletonKey: 'sync:2' })).toEqual(expect.any(String));
      expect(await queue.waiting('sync', 'sync:1')).toBe(true);
      expect(await queue.waiting('sync', 'sync:3')).toBe(false);

      await queue.work({
        sync: async (p) => {
          if (p.libraryId === 1) throw new Error('boom');
          return { ok: true, detail: `synced ${p.libraryId}` };
        },
      });
      await until('both jobs to run', async () => ran.length === 2);
      expect(ran.map((r) => r.outcome).sort((a, b) => Number(a.ok) - Number(b.ok))).toEqual([
        { ok: false, error: 'The job handler failed: boom' },
        { ok: true, detail: 'synced 2' },
      ]);
      expect(await queue.waiting('sync', 'sync:1')).toBe(false);
      // Taken: the key is free for the next one.
      expect(await queue.send('sync', payload(1), { singletonKey: 'sync:1' })).toEqual(expect.any(String));
      await until('the third job to run', async () => ran.length === 3);
    } finally {
      await queue.stop({ timeoutMs: 5000 });
    }
  });

  it('holds a job sent with startAfter until then', async () => {
    const config = testConfig({ ROLLCALL_DATABASE_URL: db().url });
    const queue = await openQueue(config, db().store, { pollingSeconds: 0.5 });
    try {
      const ran: string[] = [];
      await queue.work({
        alerts: async (p) => {
          ran.push(p.at);
          return { ok: true };
        },
      });
      await queue.send('alerts', { at: 'tomorrow' }, { startAfter: new Date(Date.now() + 24 * 3600_000) });
      await queue.send('alerts', { at: 'now' });
      await until('the due job to run', async () => ran.length === 1);
      // The later one still waits (the due one, sent after it, ran first).
      expect(ran).toEqual(['now']);
    } finally {
      await queue.stop({ timeoutMs: 5000 });
    }
  });
});

it('refuses a jobs schema pg-boss cannot take, as config_invalid', () => {
  for (const bad of ['Jobs', '1jobs', 'a-b', 'x'.repeat(51)]) {
    let caught: unknown;
    try {
      checkJobsSchema(bad);
    } catch (e) {
      caught = e;
    }
    expect(isRollcallError(caught, 'config_invalid'), bad).toBe(true);
  }
  expect(jobsSchema(testConfig({ ROLLCALL_DATABASE_URL: 'postgres://u@h/db' }))).toBe('rollcall_jobs');
  expect(jobsSchema(testConfig({ ROLLCALL_DATABASE_URL: 'postgres://u@h/db', ROLLCALL_JOBS_SCHEMA: 'mine' }))).toBe('mine');
});
