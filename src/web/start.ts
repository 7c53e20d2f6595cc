/**
 * Starting the web server for `rollcall serve` and the demo: the app's store and sync
 * dependencies, a Sync Now that uses the job queue when one is given (else runs in this
 * process), pino logging with secrets redacted, and a clean close.
 */
import type { App } from '../app.ts';
import type { SyncStarter } from './context.ts';
import { buildWebServer } from './server.ts';
import { inProcessSyncStarter } from './sync-starter.ts';

/** A listening web server. */
export interface RunningWeb {
  /** Where it listens (http://host:port). */
  url: string;
  /** Stops taking requests, waits for Sync Now syncs it started here, closes. */
  close(): Promise<void>;
}

/** Starts the web server of `app` and listens. */
export async function startWebServer(
  app: App,
  options: { port?: number; host?: string; log?: boolean; startSync?: SyncStarter; now?: () => Date } = {},
): Promise<RunningWeb> {
  const now = options.now ?? (() => new Date());
  const local = inProcessSyncStarter(app.syncDeps);
  const web = await buildWebServer({
    config: app.config,
    store: app.store,
    syncDeps: app.syncDeps,
    now,
    startSync: options.startSync ?? local,
    logger:
      options.log === false
        ? false
        : {
            level: app.config.logLevel,
            // Never a credential in the log: no headers are logged by default; say so anyway.
            redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
            // Query strings stay out of the log: ClassLink's callback carries a code and state.
            serializers: {
              req: (req: { method: string; url: string; id?: string }) => ({
                method: req.method,
                url: req.url.split('?')[0],
                reqId: req.id,
              }),
            },
          },
  });
  const address = await web.listen({ port: options.port ?? app.config.web.port, host: options.host ?? app.config.web.host });
  return {
    url: address,
    close: async () => {
      await web.close();
      await local.idle();
    },
  };
}
