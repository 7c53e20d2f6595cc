/**
 * The end-to-end scenario of test/e2e-cli.test.ts (test/support/e2e-scenario.ts) against the
 * emulator as a generic OneRoster 1.2 server: `rollcall oneroster configure --version 1.2` with
 * OAuth 2 client credentials, then the same story — import, match, dry run, full sync, the
 * district's changes, delta, full, review, export field by field. The oracle reads the 1.2 wire
 * itself (roles[], primaryOrg), independently of Rollcall's parser. The command line runs in
 * this process: the child-process contract is covered by the ClassLink run.
 */
import { readRosterV1p2 } from './support/e2e-roster.ts';
import { e2eScenario } from './support/e2e-scenario.ts';

e2eScenario({
  title: 'a OneRoster 1.2 server with OAuth 2 client credentials',
  command: 'oneroster',
  connects: 'to OneRoster 1.2 with OAuth 2 client credentials',
  configure: ({ url, oauth2 }) => [
    '--base-url',
    url,
    '--version',
    '1.2',
    '--client-id',
    oauth2.clientId,
    '--client-secret',
    oauth2.clientSecret,
    '--token-url',
    oauth2.tokenUrl,
  ],
  readRoster: readRosterV1p2,
  typeNames: { full: 'OneRoster Full Sync', delta: 'OneRoster Delta Sync', dryRun: 'OneRoster Dry Run' },
  secrets: ({ credentials: c, oauth2 }) => [oauth2.clientSecret, c.clientSecret, c.bearerToken, c.partnerKey],
  runner: 'here',
  // The sync reads the 1.2 paths, not 1.1's (which the same tokens would also open).
  sourceRequests: (emulator) => emulator.oauth2.v1p2Requests(),
});
