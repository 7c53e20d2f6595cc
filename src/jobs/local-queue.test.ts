import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalQueue } from './local-queue.ts';
import type { JobOutcome, JobPayloads, JobRecord } from './types.ts';

const sync = (libraryId: number): JobPayloads['sync'] => ({ libraryId, kind: 'full', dryRun: false, requestedBy: 'test' });

/** A queue that records every outcome. */
function recordingQueue(): { queue: LocalQueue; ran: { job: JobRecord; outcome: JobOutcome }[] } {
  const ran: { job: JobRecord; outcome: JobOutcome }[] = [];
  return { queue: new LocalQueue({ onOutcome: (job, outcome) => ran.push({ job, outcome }) }), ran };
}

describe('LocalQueue', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs sent jobs with their handler, in order, one of a name at a time', async () => {
    const { queue } = recordingQueue();
    const seen: number[] = [];
    let running = 0;
    let most = 0;
    await queue.work({
      sync: async (p) => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 5));
        seen.push(p.libraryId);
        running--;
        return { ok: true };
      },
    });
    for (const id of [1, 2, 3]) await queue.send('sync', sync(id));
    await queue.whenIdle();
    expect(seen).toEqual([1, 2, 3]);
    expect(most).toBe(1);
    await queue.stop();
  });

  it('drops a second job with the singleton key of one still waiting, and takes it again once the first has started', async () => {
    const { queue, ran } = recordingQueue();
    const first = await queue.send('sync', sync(7), { singletonKey: 'sync:7' });
    expect(first).not.toBeNull();
    expect(await queue.send('sync', sync(7), { singletonKey: 'sync:7' })).toBeNull();
    // Another key, or no key, is another job.
    expect(await queue.send('sync', sync(8), { singletonKey: 'sync:8' })).not.toBeNull();
    expect(await queue.waiting('sync', 'sync:7')).toBe(true);
    expect(queue.waitingJobs()).toHaveLength(2);

    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const started: number[] = [];
    await queue.work({
      sync: async (p) => {
        started.push(p.libraryId);
        if (p.libraryId === 7 && started.length === 1) await held;
        return { ok: true };
      },
    });
    // Job 7 runs (held): no longer waiting, so its key takes a new job.
    expect(started).toEqual([7]);
    expect(await queue.waiting('sync', 'sync:7')).toBe(false);
    expect(await queue.send('sync', sync(7), { singletonKey: 'sync:7' })).not.toBeNull();
    release();
    await queue.whenIdle();
    expect(started).toEqual([7, 8, 7]);
    expect(ran.map((r) => r.job.id)).toHaveLength(3);
    await queue.stop();
  });

  it('runs a job no earlier than its startAfter', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-05T01:00:00Z') });
    const { queue, ran } = recordingQueue();
    await queue.work({ 'reap-stale': async (p) => ({ ok: true, detail: p.at }) });
    await queue.send('reap-stale', { at: 'later' }, { startAfter: new Date('2026-01-05T02:00:00Z') });
    await queue.send('reap-stale', { at: 'now' });
    await vi.advanceTimersByTimeAsync(59 * 60_000);
    expect(ran.map((r) => r.outcome)).toEqual([{ ok: true, detail: 'now' }]);
    await vi.advanceTimersByTimeAsync(60_001);
    expect(ran.map((r) => r.outcome)).toEqual([
      { ok: true, detail: 'now' },
      { ok: true, detail: 'later' },
    ]);
    await queue.stop();
  });

  it('turns a handler that throws (or returns nothing) into a failed outcome and goes on to the next job', async () => {
    const { queue, ran } = recordingQueue();
    await queue.work({
      sync: async (p) => {
        if (p.libraryId === 1) throw new Error('boom\nsecond line');
        if (p.libraryId === 2) return undefined as unknown as JobOutcome;
        return { ok: true, detail: 'fine' };
      },
    });
    for (const id of [1, 2, 3]) await queue.send('sync', sync(id));
    await queue.whenIdle();
    expect(ran.map((r) => r.outcome)).toEqual([
      { ok: false, error: 'The job handler failed: boom second line' },
      { ok: false, error: 'The job handler returned no outcome.' },
      { ok: true, detail: 'fine' },
    ]);
    await queue.stop();
  });

  it('keeps jobs of names it has no handler for waiting, and drops everything waiting on stop', async () => {
    const { queue, ran } = recordingQueue();
    await queue.work({ sync: async () => ({ ok: true }) });
    await queue.send('alerts', { at: 'x' });
    await queue.whenIdle();
    expect(ran).toHaveLength(0);
    expect(queue.waitingJobs().map((j) => j.name)).toEqual(['alerts']);
    await queue.stop();
    expect(queue.isStopped).toBe(true);
    expect(queue.waitingJobs()).toEqual([]);
    // A stopped queue runs nothing more.
    await queue.send('sync', sync(1));
    await queue.whenIdle();
    expect(ran).toHaveLength(0);
  });

  it('waits on stop for the job running, up to the timeout', async () => {
    const { queue, ran } = recordingQueue();
    let release!: () => void;
    await queue.work({ sync: () => new Promise<JobOutcome>((r) => (release = () => r({ ok: true, detail: 'done' }))) });
    await queue.send('sync', sync(1));
    const stopping = queue.stop({ timeoutMs: 60_000 });
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(ran.map((r) => r.outcome)).toEqual([{ ok: true, detail: 'done' }]);
  });
});
