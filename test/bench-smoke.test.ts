/**
 * A small run of `npm run bench` so the benchmark cannot rot: it must run every phase and its
 * counts must be right (first sync creates, second changes nothing, the delta sees exactly the
 * 1% that changed). Timings are printed by the benchmark, never asserted here.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;
const STUDENTS = 2000;

describe('npm run bench (smoke)', () => {
  it(`runs every phase at ${STUDENTS} students and gets the counts right`, () => {
    // SQLite only: the PostgreSQL store has its own tests; this guards the benchmark itself.
    const db = 'sqlite';
    const run = spawnSync(
      `${ROOT}node_modules/.bin/tsx`,
      ['bench/run.ts', '--users', String(STUDENTS), '--db', db, '--json', '--no-docs'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as {
      runs: { db: string; phases: { phase: string; wallMs: number; maxRssMb: number; counts?: Record<string, number> }[] }[];
    };
    for (const r of result.runs) {
      const phase = (name: string) => r.phases.find((p) => p.phase === name)!;
      expect(r.phases.map((p) => p.phase)).toEqual(['floor', 'first full', 'second full', 'delta', 'dry run', 'csv first full']);
      for (const p of r.phases) expect(p.wallMs > 0 && p.maxRssMb > 0, `${r.db} ${p.phase} measured`).toBe(true);
      const created = phase('first full').counts!.created!;
      expect(created).toBeGreaterThan(STUDENTS);
      expect(phase('second full').counts).toMatchObject({ created: 0, updated: 0, unchanged: created, transferred: 0 });
      expect(phase('delta').counts).toMatchObject({ created: 0, updated: STUDENTS / 100, transferred: 10 });
      expect(phase('dry run').counts).toMatchObject({ created: 0, updated: 0, transferred: 0 });
      // The same (unchanged) district from a OneRoster CSV package, into an empty library.
      expect(phase('csv first full').counts).toMatchObject({ created, updated: 0, transferred: 0, conflicts: 0 });
    }
  });

  it('with --location mapped and --delta-only: the delta also brings the 0.2% of students moved to another homeroom', () => {
    const run = spawnSync(
      `${ROOT}node_modules/.bin/tsx`,
      [
        'bench/run.ts',
        '--users',
        String(STUDENTS),
        '--db',
        'sqlite',
        '--json',
        '--no-docs',
        '--delta-only',
        '--location',
        'homeroom-teacher',
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const phases = (JSON.parse(run.stdout) as { runs: { phases: { phase: string; counts?: Record<string, number> }[] }[] }).runs[0]!.phases;
    expect(phases.map((p) => p.phase)).toEqual(['first full', 'delta']);
    // The moved students' records did not change: only their homeroom enrollments did.
    expect(phases[1]!.counts).toMatchObject({ created: 0, updated: STUDENTS / 100 + (STUDENTS * 2) / 1000, transferred: 10 });
  });

  it('with --first-only: only the floor and the first full sync', () => {
    const run = spawnSync(
      `${ROOT}node_modules/.bin/tsx`,
      ['bench/run.ts', '--users', String(STUDENTS), '--db', 'sqlite', '--json', '--no-docs', '--first-only'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const phases = (JSON.parse(run.stdout) as { runs: { phases: { phase: string; counts?: Record<string, number> }[] }[] }).runs[0]!.phases;
    expect(phases.map((p) => p.phase)).toEqual(['floor', 'first full']);
    expect(phases[1]!.counts!.created).toBeGreaterThan(STUDENTS);
  });
});
