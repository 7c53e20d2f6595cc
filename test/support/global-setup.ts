/**
 * Runs once before all tests: finds out whether PostgreSQL is reachable and says so plainly,
 * so a skipped PostgreSQL suite is never silent. Tests read the answer with `inject('pgUrl')`.
 */
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import type {} from 'vitest';

/** The PostgreSQL the machines provide (trust auth). Override with ROLLCALL_TEST_PG_URL, or 'off'. */
export const DEFAULT_TEST_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL URL for tests, or '' when PostgreSQL runs are skipped. */
    pgUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const url = process.env.ROLLCALL_TEST_PG_URL ?? DEFAULT_TEST_PG_URL;
  if (url === 'off') {
    process.stderr.write('\n*** PostgreSQL tests SKIPPED: ROLLCALL_TEST_PG_URL=off ***\n\n');
    project.provide('pgUrl', '');
    return;
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    project.provide('pgUrl', url);
  } catch (e) {
    const shown = url.replace(/:[^:@/]*@/, ':***@');
    process.stderr.write(`\n*** PostgreSQL tests SKIPPED: cannot reach ${shown} (${(e as Error).message}) ***\n\n`);
    project.provide('pgUrl', '');
  } finally {
    await client.end().catch(() => {});
  }
}
