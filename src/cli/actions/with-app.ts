/**
 * Opens the app for one command (configuration, store, the `--library` asked for) and closes it
 * when the command is done, whatever happens.
 */
import { openApp, type App } from '../../app.ts';
import type { Env } from '../../config/schema.ts';
import type { CommandContext } from '../context.ts';

/** Runs `work` with an open app; the store is closed afterwards. */
export async function withApp<T>(
  ctx: CommandContext,
  work: (app: App) => Promise<T>,
  overrides: Partial<Record<keyof Env, string>> = {},
): Promise<T> {
  const app = await openApp({ libraryCode: ctx.library, overrides, ...(ctx.env ? { env: ctx.env } : {}) });
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}
