import { describe, expect, it } from 'vitest';
import { zeroCounts, type Operation } from '../store/store.ts';
import { alertEmailText, alertWebhookBody, alertsFor, type AlertSubject } from './alerts.ts';

const NOW = new Date('2026-03-10T12:00:00Z');
const LIB: AlertSubject = { id: 1, code: 'mhs', name: 'Maple High', watched: true, watchedSince: '2026-01-01T00:00:00.000Z' };
const OPTIONS = { staleHours: 36 };

let nextId = 100;
/** An operation that ended `hoursAgo` before NOW. */
function op(state: Operation['state'], hoursAgo: number, extra: Partial<Operation> = {}): Operation {
  const at = new Date(NOW.getTime() - hoursAgo * 3_600_000).toISOString();
  return {
    id: ++nextId,
    libraryId: 1,
    type: 'classlink_delta_sync',
    source: 'classlink',
    requestedBy: 'schedule',
    state,
    createdAt: at,
    startedAt: at,
    finishedAt: ['queued', 'running', 'needs_review'].includes(state) ? null : at,
    heartbeatAt: null,
    progress: { done: 0, total: 0 },
    counts: zeroCounts(),
    complete: true,
    summary: '',
    error: '',
    retryOf: null,
    undoOf: null,
    undoneBy: null,
    ...extra,
  };
}

describe('alertsFor', () => {
  it('raises nothing for a library that synced within the threshold', () => {
    expect(alertsFor(LIB, [op('succeeded', 10), op('failed', 30, { error: 'old' })], NOW, OPTIONS)).toEqual([]);
  });

  it('raises sync_failed for the latest sync when it failed, once per failed operation', () => {
    const failed = op('failed', 1, { error: 'The roster server refused our credentials (401).' });
    const alerts = alertsFor(LIB, [failed, op('failed', 25, { error: 'earlier' }), op('succeeded', 26)], NOW, OPTIONS);
    expect(alerts).toEqual([
      {
        kind: 'sync_failed',
        operationId: failed.id,
        message: `ClassLink Delta Sync ${failed.id} failed: The roster server refused our credentials (401).`,
      },
    ]);
  });

  it('ignores patron imports: a refused file is no failed sync, and importing files keeps no stale library fresh', () => {
    const refused = op('failed', 1, { type: 'patron_import', error: '1 row rejected (first: line 2, …); nothing was imported.' });
    const imported = op('succeeded', 2, { type: 'patron_import' });
    expect(alertsFor(LIB, [refused, imported, op('succeeded', 3)], NOW, OPTIONS)).toEqual([]);
    const stale = alertsFor(LIB, [imported, op('succeeded', 40)], NOW, OPTIONS);
    expect(stale.map((a) => a.kind)).toEqual(['stale']);
  });

  it('ignores dry runs and rejections: neither is a failed sync', () => {
    const ops = [op('failed', 1, { type: 'dry_run', error: 'x' }), op('rejected', 2), op('succeeded', 3)];
    expect(alertsFor(LIB, ops, NOW, OPTIONS)).toEqual([]);
    // A rejection after a failure: someone has looked at the library; the failure is not raised again.
    expect(alertsFor(LIB, [op('rejected', 1), op('failed', 2, { error: 'x' }), op('succeeded', 30)], NOW, OPTIONS)).toEqual([]);
  });

  it('raises needs_review for each held sync', () => {
    const held = op('needs_review', 2);
    expect(alertsFor(LIB, [held, op('succeeded', 20)], NOW, OPTIONS)).toEqual([
      { kind: 'needs_review', operationId: held.id, message: expect.stringContaining(`rollcall operations show ${held.id}`) },
    ]);
  });

  it('raises stale past the threshold, keyed by the last success, only for a library expected to sync', () => {
    const success = op('succeeded_with_warnings', 37);
    expect(alertsFor(LIB, [op('running', 0), success], NOW, OPTIONS)).toEqual([
      { kind: 'stale', operationId: success.id, message: 'No successful sync since 2026-03-08 23:00 UTC (more than 36 hours).' },
    ]);
    expect(alertsFor(LIB, [success], NOW, { staleHours: 48 })).toEqual([]);
    expect(alertsFor({ ...LIB, watched: false }, [success], NOW, OPTIONS)).toEqual([]);
  });

  it('counts a library that never synced from when syncing was set up', () => {
    expect(alertsFor({ ...LIB, watchedSince: '2026-03-09T12:00:00.000Z' }, [], NOW, OPTIONS)).toEqual([]);
    expect(alertsFor(LIB, [op('failed', 1, { error: 'down' })], NOW, OPTIONS).map((a) => [a.kind, a.operationId])).toEqual([
      ['sync_failed', nextId],
      ['stale', null],
    ]);
  });
});

describe('alert messages', () => {
  const notice = {
    alert: {
      id: 7,
      kind: 'sync_failed' as const,
      operationId: 42,
      message: 'ClassLink Delta Sync 42 failed: boom',
      raisedAt: '2026-03-10T07:01:00.000Z',
    },
    library: { code: 'mhs', name: 'Maple High' },
    publicUrl: 'https://rollcall.example.org/',
  };

  it('builds the e-mail subject and body', () => {
    const { subject, text } = alertEmailText(notice);
    expect(subject).toBe('Rollcall alert: sync failed, Maple High (mhs)');
    expect(text).toContain('ClassLink Delta Sync 42 failed: boom');
    expect(text).toContain('Operation: https://rollcall.example.org/operations/42');
    expect(text).toContain('Raised: 2026-03-10 07:01 UTC');
  });

  it('builds the webhook body with a `text` for chat webhooks', () => {
    expect(alertWebhookBody(notice)).toEqual({
      source: 'rollcall',
      alert: {
        id: 7,
        kind: 'sync_failed',
        operationId: 42,
        message: 'ClassLink Delta Sync 42 failed: boom',
        raisedAt: '2026-03-10T07:01:00.000Z',
        url: 'https://rollcall.example.org/operations/42',
      },
      library: { code: 'mhs', name: 'Maple High' },
      text: 'Rollcall — Maple High (mhs): ClassLink Delta Sync 42 failed: boom',
    });
  });
});
