/**
 * End to end, as a district IT admin's script would do it: ONLY the real command line (`rollcall`
 * as a child process per step, test/cli-support.ts, on a temporary database) against a ClassLink
 * emulator, on SQLite and on PostgreSQL. The story: a library with existing patrons imports
 * them, connects to ClassLink, maps two of three schools, dry-runs and syncs; the district
 * changes (a rename, moves, a leaver, a purge, a returning student); a delta and a full sync
 * follow; a threshold stops a sync for review and it is approved; the export is checked field
 * by field against values computed from the emulator's own roster (test/support/e2e-roster.ts).
 *
 * This file runs it on SQLite, e2e-cli-postgres.test.ts on PostgreSQL (two files, so the two
 * run side by side). The scenario itself is test/support/e2e-scenario.ts (test/e2e-oneroster12.test.ts runs it
 * against a OneRoster 1.2 server); test/support/e2e-classlink.ts says how ClassLink is reached.
 */
import { classLinkE2e } from './support/e2e-classlink.ts';
import { e2eScenario } from './support/e2e-scenario.ts';

e2eScenario(classLinkE2e, 'sqlite');
