/** How the end-to-end scenario reaches ClassLink (run by e2e-cli.test.ts and e2e-cli-postgres.test.ts). */
import { readRoster } from './e2e-roster.ts';
import type { E2eSource } from './e2e-scenario.ts';

export const classLinkE2e: E2eSource = {
  title: 'the ClassLink emulator',
  command: 'classlink',
  connects: 'to ClassLink directly',
  configure: (emulator) => [
    '--roster-url',
    emulator.url,
    '--client-id',
    emulator.credentials.clientId,
    '--client-secret',
    emulator.credentials.clientSecret,
  ],
  readRoster,
  typeNames: { full: 'ClassLink Full Sync', delta: 'ClassLink Delta Sync', dryRun: 'Dry Run' },
  secrets: ({ credentials: c }) => [c.clientSecret, c.bearerToken, c.partnerKey],
  runner: 'process',
};
