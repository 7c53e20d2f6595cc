#!/usr/bin/env node
// `rollcall`: runs the compiled build (dist/, made by `npm ci` through the `prepare` script, or by
// `npm run build`). When there is none, or a source file is newer than it (src/ edited and not
// rebuilt), it runs the TypeScript through tsx instead and says so in one line on stderr: a
// command never waits on a half-minute build, and never runs code older than its sources.
import { fileURLToPath } from 'node:url';
import { staleBuild } from './build-state.js';

const stale = staleBuild(fileURLToPath(new URL('..', import.meta.url)));
if (stale === undefined) {
  await import('../dist/cli/main.js');
} else {
  process.stderr.write(`rollcall: running the TypeScript sources through tsx (${stale}; \`npm run build\` compiles them)\n`);
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
