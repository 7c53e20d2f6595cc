/**
 * `rollcall serve [--port N] [--no-worker]`: the web admin and JSON API (SPEC §5) until Ctrl+C
 * or SIGTERM — with a worker in the same process by default (syncs, Daily Operations, alerts),
 * so one process is a whole Rollcall. `--no-worker` serves pages only and sends Sync Now to the
 * queue for `rollcall worker` processes: PostgreSQL only (SQLite's queue lives in one process).
 * With no staff account yet it prints where to create the first admin.
 */
import { openApp } from '../../app.ts';
import { RollcallError } from '../../domain/errors.ts';
import { openQueue } from '../../jobs/open-queue.ts';
import type { JobQueue } from '../../jobs/types.ts';
import { startWorker, type RunningWorker } from '../../jobs/worker.ts';
import { queueSyncStarter } from '../../web/queue-starter.ts';
import { startWebServer } from '../../web/start.ts';
import { EXIT_OK } from '../exit.ts';
import { parseWholeNumber } from '../option-values.ts';
import type { Handler } from '../context.ts';
import { untilStopped } from './signals.ts';

/** `serve …` */
export const serve: Handler = async (ctx, _args, opts) => {
  const port = opts.port === undefined ? undefined : parseWholeNumber('--port', String(opts.port), 0, 65_535);
  const withWorker = opts.worker !== false;
  const app = await openApp({ libraryCode: ctx.library, ...(ctx.env ? { env: ctx.env } : {}) });
  let worker: RunningWorker | undefined;
  let queue: JobQueue | undefined;
  try {
    if (!withWorker && app.store.dialect === 'sqlite') {
      throw new RollcallError(
        'usage',
        '--no-worker needs PostgreSQL: on SQLite the job queue lives in the serving process, so its syncs would never run.',
      );
    }
    const stopped = untilStopped();
    if (withWorker) {
      worker = await startWorker(app, { log: (line) => ctx.out.note(line) });
      queue = worker.queue;
    } else {
      queue = await openQueue(app.config, app.store, { onError: (m) => ctx.out.note(`job queue error: ${m}`) });
    }
    const web = await startWebServer(app, { ...(port !== undefined ? { port } : {}), startSync: queueSyncStarter(queue, app.store) }).catch(
      (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EADDRINUSE' && e.code !== 'EACCES') throw e;
        const where = `${app.config.web.host}:${port ?? app.config.web.port}`;
        const why = e.code === 'EADDRINUSE' ? 'the port is already in use' : 'permission denied';
        throw new RollcallError('usage', `Cannot listen on ${where} (${why}): choose another port with --port or ROLLCALL_PORT.`, {
          cause: e,
        });
      },
    );
    ctx.out.note(
      `Rollcall is listening on ${web.url} (public address ${app.config.web.publicUrl})${withWorker ? ', with a worker' : ', pages only (run `rollcall worker` for the syncs)'}.`,
    );
    if ((await app.store.staff.countAll()) === 0) {
      ctx.out.note(`No staff account yet: open ${web.url}/setup to create the first admin, or run \`rollcall users add\`.`);
    }
    await stopped;
    await web.close();
    ctx.out.note('Rollcall stopped.');
    return EXIT_OK;
  } finally {
    if (worker) await worker.stop().catch(() => {});
    else if (queue) await queue.stop().catch(() => {});
    await app.close();
  }
};
