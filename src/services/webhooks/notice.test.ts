import { describe, expect, it } from 'vitest';
import { zeroCounts, type Operation } from '../../store/store.ts';
import { isApplied, operationNotice } from './notice.ts';

function op(type: string, state: Operation['state']): Operation {
  return {
    id: 5,
    libraryId: 1,
    type,
    source: 'classlink',
    requestedBy: 'test',
    state,
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: '2026-01-01T00:01:00.000Z',
    heartbeatAt: null,
    progress: { done: 0, total: 0 },
    counts: zeroCounts(),
    complete: true,
    summary: '',
    error: '',
    retryOf: null,
    undoOf: null,
    undoneBy: null,
  };
}

describe('which operations send a notice', () => {
  it('applied ones only: never a dry run, a plan held for review, a failed or unfinished one', () => {
    expect(isApplied(op('classlink_full_sync', 'succeeded'))).toBe(true);
    expect(isApplied(op('patron_import', 'succeeded_with_warnings'))).toBe(true);
    expect(isApplied(op('undo', 'succeeded'))).toBe(true);
    expect(isApplied(op('dry_run', 'succeeded'))).toBe(false);
    expect(isApplied(op('classlink_full_sync', 'needs_review'))).toBe(false);
    expect(isApplied(op('classlink_full_sync', 'failed'))).toBe(false);
    expect(isApplied(op('classlink_full_sync', 'running'))).toBe(false);
  });

  it('a notice of an operation that changed nobody has no feed range', () => {
    const body = JSON.parse(
      operationNotice({ id: 1, code: 'default', name: 'Main' }, op('undo', 'succeeded'), null, 'https://r.example/'),
    ) as {
      data: { changes: unknown; operation: { url: string } };
    };
    expect(body.data.changes).toBeNull();
    expect(body.data.operation.url).toBe('https://r.example/operations/5');
  });
});
