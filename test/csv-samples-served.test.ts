/**
 * Every OneRoster 1.1 CSV package among the third-party samples (../shared/oneroster-samples,
 * read in place, never copied here) can be served by the emulator (`--from-csv`) and pulled by
 * the client over real HTTP: every record arrives, or is reported as malformed — never fatal.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCsvDistrict, openCsvPackage } from '../src/csv/index.ts';
import type { RosterCollection } from '../src/domain/roster.ts';
import { startEmulator } from '../src/emulator/server.ts';
import type { DistrictData } from '../src/domain/district.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { OneRosterClient } from '../src/oneroster/client.ts';

const SAMPLES = fileURLToPath(new URL('../../shared/oneroster-samples/', import.meta.url));
const present = existsSync(SAMPLES);
if (!present) console.warn(`csv-samples-served: SKIPPED, the third-party samples are not at ${SAMPLES}`);

/** Every CSV package among the samples: zips and folders holding a manifest. */
function packages(): string[] {
  if (!present) return [];
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (existsSync(join(path, 'manifest.csv'))) found.push(path);
        else walk(path);
      } else if (entry.name.endsWith('.zip')) found.push(path);
    }
  };
  walk(SAMPLES);
  return found.sort();
}

const COLLECTIONS: RosterCollection[] = ['orgs', 'users', 'classes', 'enrollments', 'demographics', 'academicSessions'];
const running: RunningEmulator[] = [];
afterAll(async () => {
  await Promise.all(running.map((e) => e.close()));
});

// Only 1.1 packages: 1.2 ones are the CSV roster source's business (a later issue).
const all = packages();
const v1p1: string[] = [];
for (const path of all) if ((await openCsvPackage(path)).version === '1.1') v1p1.push(path);

describe.skipIf(!present)('OneRoster 1.1 CSV samples served by the emulator and pulled by the client', () => {
  it('finds the sample packages', () => {
    expect(all.length).toBeGreaterThanOrEqual(10);
    expect(v1p1.length).toBeGreaterThanOrEqual(8);
  });

  it.each(v1p1.map((p) => [p.slice(SAMPLES.length), p]))('%s', async (_name, path) => {
    const loaded = await loadCsvDistrict(path);
    // Malformed rows are reported with file and line, never fatal.
    for (const m of loaded.malformed) expect(m.where).toMatch(/\.csv line \d+/);
    const emulator = await startEmulator({ district: loaded.data });
    running.push(emulator);
    const client = new OneRosterClient({
      baseUrl: emulator.url,
      auth: { kind: 'oauth1', clientId: emulator.credentials.clientId, clientSecret: emulator.credentials.clientSecret },
      pageSize: 3, // tiny pages: the samples are small, and paging is part of what is checked
      baseDelayMs: 1,
      maxDelayMs: 10,
    });
    try {
      for (const collection of COLLECTIONS) {
        const served = (loaded.data as unknown as Record<string, { sourcedId: string }[]>)[collection as keyof DistrictData]!;
        const got: string[] = [];
        const result = await client.pull(collection, {}, (records) => {
          for (const r of records) got.push(r.sourcedId);
        });
        expect(result.complete, `${collection}: ${result.incompleteReason}`).toBe(true);
        // Every served record arrived, or the client reported it as malformed (with where and why).
        expect(got.length + result.malformedCount, collection).toBe(served.length);
        for (const m of result.malformed) expect(m.message.length).toBeGreaterThan(0);
        expect(new Set(got).size, `${collection} without duplicates`).toBe(got.length);
        const servedIds = new Set(served.map((r) => r.sourcedId));
        for (const id of got) expect(servedIds.has(id), `${collection} ${id} was served`).toBe(true);
      }
    } finally {
      await client.close();
    }
  });
});
