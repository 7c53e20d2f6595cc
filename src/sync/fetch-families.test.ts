/**
 * A delta completes families (fetch.ts `completeDeltaFamilies`): the unchanged parents of
 * changed students are read by id, in many small pulls — a few at a time when the reader allows
 * it, every one of them, and the fetch fails as a whole when one fails.
 */
import { describe, expect, it } from 'vitest';
import { RollcallError } from '../domain/errors.ts';
import type { RosterUser } from '../domain/roster.ts';
import type { PullOutcome, RosterReader } from './ports.ts';
import { fetchSnapshot, type FetchRequest } from './fetch.ts';
import { buildUser } from './core/test-builders.ts';

const done: PullOutcome = { complete: true, incompleteReason: '', malformed: [], malformedCount: 0, notes: [] };
const STUDENTS = 300;

/** 300 changed students, each with one unchanged parent; id pulls answered after a pause. */
function reader(
  concurrentPulls: number | undefined,
  failOn?: string,
): RosterReader & { maxInFlight: number; idPulls: number; cancelled: number } {
  const students = Array.from({ length: STUDENTS }, (_, i) => buildUser({ sourcedId: `stu-${i}`, agentSourcedIds: [`par-${i}`] }));
  let inFlight = 0;
  const r = {
    concurrentPulls,
    maxInFlight: 0,
    idPulls: 0,
    cancelled: 0,
    async pull(
      collection: string,
      request: { filter?: string; signal?: AbortSignal },
      onRecords: (records: never[]) => void | Promise<void>,
    ): Promise<PullOutcome> {
      if (collection !== 'users') return done;
      if (request.filter?.startsWith('dateLastModified')) {
        await onRecords(students as never[]);
        return done;
      }
      r.idPulls++;
      const ids = [...(request.filter ?? '').matchAll(/sourcedId='([^']+)'/g)].map((m) => m[1]!);
      inFlight++;
      r.maxInFlight = Math.max(r.maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      // The failing pull answers first; the others see the cancellation a moment later.
      if (!ids.includes(failOn ?? '')) await new Promise((resolve) => setTimeout(resolve, 5));
      if (request.signal?.aborted) {
        r.cancelled++;
        throw request.signal.reason;
      }
      if (failOn && ids.includes(failOn)) throw new RollcallError('source_unreachable', 'the roster server did not answer');
      const parents: RosterUser[] = ids.map((id) => buildUser({ sourcedId: id, role: 'parent', givenName: `Parent ${id}` }));
      await onRecords(parents as never[]);
      return done;
    },
  };
  return r as RosterReader & { maxInFlight: number; idPulls: number; cancelled: number };
}

const delta: FetchRequest = { kind: 'delta', since: '2026-01-01T00:00:00.000Z', roles: ['student'], location: 'none', log: () => {} };

describe("a delta's family reads", () => {
  it('reads every missing parent, a few pulls at a time when the reader allows', async () => {
    const r = reader(4);
    const snapshot = await fetchSnapshot(r, delta);
    expect(snapshot.agents.size).toBe(STUDENTS);
    expect(snapshot.agents.get('par-7')).toMatchObject({ givenName: 'Parent par-7' });
    expect(r.idPulls).toBe(Math.ceil(STUDENTS / 40));
    expect(r.maxInFlight).toBe(4);
  });

  it('one at a time from a reader that does not say', async () => {
    const r = reader(undefined);
    const snapshot = await fetchSnapshot(r, delta);
    expect(snapshot.agents.size).toBe(STUDENTS);
    expect(r.maxInFlight).toBe(1);
  });

  it('fails the fetch when one pull fails, cancels the others and starts no more', async () => {
    const r = reader(4, 'par-0');
    await expect(fetchSnapshot(r, delta)).rejects.toThrow(/did not answer/);
    // The failing pull is among the first four; the other lanes' pulls are told to stop (they
    // notice when they next look, after the fetch has already failed).
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(r.idPulls).toBeLessThanOrEqual(4);
    expect(r.cancelled).toBe(3);
  });
});
