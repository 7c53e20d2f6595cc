/**
 * `rollcall worker`: runs every library's jobs (syncs, the reaper, Daily Operations) without the
 * web server, until Ctrl+C or SIGTERM. On PostgreSQL run as many as you like, on as many
 * machines: they share the queue. A stop is graceful: no new job is taken, a sync still reading
 * the roster ends with nothing written and is retried once (by another worker, or this one when
 * it is back); an apply in progress finishes first.
 */
import { startWorker } from '../../jobs/worker.ts';
import { DEFAULT_LIBRARY_CODE } from '../../store/store.ts';
import { EXIT_OK } from '../exit.ts';
import type { Handler } from '../context.ts';
import { untilStopped } from './signals.ts';
import { withApp } from './with-app.ts';

/** `worker` */
export const worker: Handler = async (ctx) =>
  // A worker serves every library: --library does not narrow it.
  withApp({ ...ctx, library: DEFAULT_LIBRARY_CODE }, async (app) => {
    const stopped = untilStopped();
    const running = await startWorker(app, { log: (line) => ctx.out.note(line) });
    const transport =
      running.queue.transport === 'pg-boss'
        ? 'on PostgreSQL, sharing the job queue with any other workers'
        : 'on SQLite, with the job queue in this process: run one such process per database';
    ctx.out.note(`rollcall worker: started ${transport}. Ctrl+C stops it.`);
    await stopped;
    ctx.out.note('rollcall worker: stopping (a sync still reading the roster ends and is retried; an apply in progress finishes first)…');
    await running.stop();
    ctx.out.note('rollcall worker: stopped.');
    return EXIT_OK;
  });
