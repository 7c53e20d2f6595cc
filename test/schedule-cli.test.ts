import { expect, it } from 'vitest';
import { rollcallHere } from './cli-support.ts';
import { describeEachDatabase } from './support/db.ts';

describeEachDatabase('schedule: `rollcall schedule show|set`', (db) => {
  const env = () => ({ ROLLCALL_DATABASE_URL: db.url(), ROLLCALL_SECRET_KEY: db.secretKey, ROLLCALL_DATA_DIR: db.dataDir() });

  it('shows the defaults, changes the settings of one library only, and turns Daily Operations off and on', async () => {
    const lib = await db.newLibrary('Maple');
    const other = await db.newLibrary('Birch');

    const shown = await rollcallHere(['schedule', 'show', '--library', lib.code, '--json'], env());
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      enabled: true,
      time: '02:00',
      timezone: 'UTC',
      fullSyncDay: 'sun',
      integrationEnabled: false,
      lastRun: null,
    });

    const set = await rollcallHere(
      ['schedule', 'set', '--library', lib.code, '--time', '3:15', '--full-day', 'wed', '--timezone', 'America/Chicago', '--json'],
      env(),
    );
    expect(set.code).toBe(0);
    const view = JSON.parse(set.stdout) as {
      time: string;
      timezone: string;
      fullSyncDay: string;
      next: { local: string; kind: string };
      nextFull: { local: string };
    };
    expect(view).toMatchObject({ time: '03:15', timezone: 'America/Chicago', fullSyncDay: 'wed' });
    expect(view.next.local).toMatch(/^\d{4}-\d\d-\d\d 03:15 \(America\/Chicago\)$/);
    expect(new Date(`${view.nextFull.local.slice(0, 10)}T12:00:00Z`).getUTCDay()).toBe(3);

    const text = await rollcallHere(['schedule', 'show', '--library', lib.code], env());
    expect(text.stdout).toContain(`Daily Operations of library ${lib.code}: on: daily at 03:15 America/Chicago, full sync on Wednesday`);
    expect(text.stdout).toContain('no integration is enabled');

    const untouched = await rollcallHere(['schedule', 'show', '--library', other.code, '--json'], env());
    expect(JSON.parse(untouched.stdout)).toMatchObject({ time: '02:00', timezone: 'UTC', fullSyncDay: 'sun' });

    const off = await rollcallHere(['schedule', 'set', '--library', lib.code, '--off', '--json'], env());
    expect(JSON.parse(off.stdout)).toMatchObject({ enabled: false, next: null, time: '03:15' });
    const on = await rollcallHere(['schedule', 'set', '--library', lib.code, '--on'], env());
    expect(on.stdout).toContain(': on: daily at 03:15');
  });

  it('an unconfirmed time zone is said so until --timezone names one (even the same): then it is confirmed', async () => {
    // A library made without asking (as the store's `ensure` makes the default one) is on UTC, unconfirmed.
    const store = db.store();
    const made = await store.libraries.ensure(`unasked-${Date.now()}`, 'Unasked');
    const show = () => rollcallHere(['schedule', 'show', '--library', made.code], env());
    expect((await show()).stdout).toContain(
      'the time zone UTC was never chosen by a person: confirm it with `rollcall schedule set --timezone UTC`',
    );
    const before = JSON.parse((await rollcallHere(['schedule', 'show', '--library', made.code, '--json'], env())).stdout);
    expect(before).toMatchObject({ timezone: 'UTC', timezoneConfirmed: false });

    const confirmed = await rollcallHere(['schedule', 'set', '--library', made.code, '--timezone', 'Etc/UTC', '--json'], env());
    expect(confirmed.code).toBe(0);
    // Stored in the canonical spelling; the settings' revision moved on.
    expect(JSON.parse(confirmed.stdout)).toMatchObject({ timezone: 'UTC', timezoneConfirmed: true, revision: before.revision + 1 });
    expect((await show()).stdout).not.toContain('never chosen');
  });

  it('refuses bad values with exit 2 and a one-line message, changing nothing', async () => {
    const lib = await db.newLibrary();
    for (const [args, message] of [
      [['--time', '25:00'], 'A run time is HH:MM'],
      [['--full-day', 'someday'], 'A full-sync day is one of sun, mon'],
      [['--timezone', 'Mars/Olympus'], '"Mars/Olympus" is not a time zone'],
      [['--on', '--off'], 'Give --on or --off, not both.'],
      [[], 'Nothing to change'],
    ] as const) {
      const run = await rollcallHere(['schedule', 'set', '--library', lib.code, ...args], env());
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
    const shown = await rollcallHere(['schedule', 'show', '--library', lib.code, '--json'], env());
    expect(JSON.parse(shown.stdout)).toMatchObject({ enabled: true, time: '02:00', timezone: 'UTC' });
  });

  it('`rollcall status` lists every library with its schedule and exits 0', async () => {
    const lib = await db.newLibrary('Status library');
    const run = await rollcallHere(['status', '--json'], env());
    expect(run.code).toBe(0);
    const statuses = JSON.parse(run.stdout) as {
      code: string;
      name: string;
      lastSuccess: unknown;
      active: unknown;
      alerts: unknown[];
      schedule: { enabled: boolean };
    }[];
    expect(statuses.map((s) => s.code)).toEqual(expect.arrayContaining(['default', lib.code]));
    expect(statuses.find((s) => s.code === lib.code)).toMatchObject({
      name: 'Status library',
      lastSuccess: null,
      active: null,
      alerts: [],
      schedule: { enabled: true },
    });
    const text = await rollcallHere(['status'], env());
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${lib.code} — Status library`);
    expect(text.stdout).toContain('last success:      none yet');
  });
});
