/**
 * The patron search ignores accents and case (SPEC §5), on SQLite and PostgreSQL: a name with
 * accents and combining marks is found by its accent-free and by its accented form, any case;
 * every write path keeps the folded copy in step (the sync's bulk insert and update, a hand edit,
 * an import, an undo); the folded-name indexes serve the search; and a database from before
 * migration 0017 has its patrons folded by it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CompiledQuery, Migrator, sql, type Kysely } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { foldName } from '../src/domain/name-fold.ts';
import { emptyPatronValues } from '../src/domain/patron.ts';
import { applyUndo, previewUndo } from '../src/services/operations/undo-operation.ts';
import { importPatrons } from '../src/services/patrons/import-patrons.ts';
import { openDatabase, type Database } from '../src/store/db.ts';
import { migrations, migrateToLatest } from '../src/store/migrations/index.ts';
import { searchQuery } from '../src/store/patron-search.ts';
import type { PatronWrite, Store } from '../src/store/store.ts';
import type { Tables } from '../src/store/tables.ts';
import { describeEachDatabase } from './support/db.ts';
import { syncFixtures, usersAt } from './support/sync-fixture.ts';

function patron(values: Partial<PatronWrite>): PatronWrite {
  return { ...emptyPatronValues(), guidSource: null, matchedBy: null, ...values };
}

/** The ids a search finds, in page order. */
async function found(store: Store, libraryId: number, query: string): Promise<number[]> {
  return (await store.patrons.search(libraryId, { query })).items.map((p) => p.id);
}

describeEachDatabase('patron search: accents and case ignored', (db) => {
  const raws: Database[] = [];
  afterAll(async () => {
    for (const r of raws) await r.kysely.destroy();
  });
  /** The suite's database without the store (plans, and the stored columns themselves). */
  async function raw(): Promise<Kysely<Tables>> {
    const opened = await openDatabase({ url: db.url(), migrate: false });
    raws.push(opened);
    return opened.kysely;
  }

  it('finds a name with accents and combining marks by its accent-free and its accented form, in any case', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    const [adebayo, soren, lukas, gross, smith] = (await store.patrons.insertMany(lib.id, [
      patron({ firstName: 'Ọláolúwa', lastName: 'Adébáyọ̀', barcode: 'A1' }),
      patron({ firstName: 'Søren', lastName: 'Østergård', barcode: 'A2' }),
      patron({ firstName: 'Zoë', lastName: 'Łukasiewicz', barcode: 'A3' }),
      patron({ firstName: 'Jürgen', lastName: 'Großmann', barcode: 'A4' }),
      patron({ firstName: 'Olivia', lastName: 'Smith', barcode: 'A5' }),
    ])) as [number, number, number, number, number];
    // The case: "adebayo" found nothing while "Adébáyọ̀" found the patron.
    for (const q of ['adebayo', 'Adébáyọ̀', 'ADÉBÁYỌ̀', 'Adebayo', 'adéb', 'ADE'])
      expect(await found(store, lib.id, q), q).toEqual([adebayo]);
    // The same name typed decomposed (a letter, then its combining marks).
    expect(await found(store, lib.id, 'Ade\u0301ba\u0301yo\u0323\u0300')).toEqual([adebayo]);
    // First names, "Last, First" and "First Last", folded alike.
    expect(await found(store, lib.id, 'olaoluwa')).toEqual([adebayo]);
    expect(await found(store, lib.id, 'Adebayo, Ola')).toEqual([adebayo]);
    expect(await found(store, lib.id, 'ola adebayo')).toEqual([adebayo]);
    // Letters that do not decompose: ø, ł, ß (and ẞ).
    expect(await found(store, lib.id, 'ostergard')).toEqual([soren]);
    expect(await found(store, lib.id, 'soren')).toEqual([soren]);
    expect(await found(store, lib.id, 'lukas')).toEqual([lukas]);
    expect(await found(store, lib.id, 'zoe')).toEqual([lukas]);
    expect(await found(store, lib.id, 'grossmann')).toEqual([gross]);
    expect(await found(store, lib.id, 'GROẞMANN')).toEqual([gross]);
    expect(await found(store, lib.id, 'jurgen')).toEqual([gross]);
    // An accent typed where the name has none still finds it; a start is still a start.
    expect(await found(store, lib.id, 'Smíth')).toEqual([smith]);
    expect(await found(store, lib.id, 'mith')).toEqual([]);
    // Only marks: no name start at all (not everyone).
    expect(await found(store, lib.id, '\u0301')).toEqual([]);
    // Exact keys are untouched.
    expect(await found(store, lib.id, 'A3')).toEqual([lukas]);
  });

  it('keeps the folded names in step with every write: bulk insert and update (named fields only), hand edit, import', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    const [id] = (await store.patrons.insertMany(lib.id, [patron({ firstName: 'Ana', lastName: 'Nunez', guid: 'g-1' })])) as [number];
    const current = (await store.patrons.get(lib.id, id))!;
    // A sync's update naming other fields leaves the names (and their copies) as they are.
    await store.patrons.updateMany(lib.id, [{ ...current, lastName: 'IGNORED', email: 'ana@example.org', fields: ['email'] }]);
    expect(await found(store, lib.id, 'nunez')).toEqual([id]);
    // One naming the last name writes its folded copy in the same statement.
    await store.patrons.updateMany(lib.id, [{ ...current, lastName: 'Núñez-Çelik', fields: ['lastName'] }]);
    expect(await found(store, lib.id, 'nunez-celik')).toEqual([id]);
    expect(await found(store, lib.id, 'Núñez-Ç')).toEqual([id]);
    // A whole-row update (no fields named) too.
    await store.patrons.updateMany(lib.id, [{ ...current, firstName: 'Ànà', lastName: 'Dœuf' }]);
    expect(await found(store, lib.id, 'doeuf')).toEqual([id]);
    expect(await found(store, lib.id, 'nunez')).toEqual([]);
    // A hand edit of the patron page.
    await store.patrons.edit(lib.id, id, { firstName: 'Þóra' }, { editedBy: 'lena' });
    expect(await found(store, lib.id, 'thora')).toEqual([id]);
    expect(await found(store, lib.id, 'ana')).toEqual([]);
    // An import.
    const report = await importPatrons(store, lib.id, Readable.from(['guid,first name,last name,status\nimp-1,Ẹniọlá,Ọ̀ṣun,1\n']), {
      requestedBy: 'cli',
      fileName: 'people.csv',
    });
    expect(report.imported).toBe(1);
    const [imported] = await found(store, lib.id, 'osun');
    expect((await store.patrons.get(lib.id, imported!))!.firstName).toBe('Ẹniọlá');
    expect(await found(store, lib.id, 'eniola osun')).toEqual([imported]);
    // Every stored copy is its name folded.
    const rows = await (await raw())
      .selectFrom('patrons')
      .select(['first_name', 'last_name', 'first_name_fold', 'last_name_fold'])
      .where('library_id', '=', lib.id)
      .execute();
    expect(rows).toHaveLength(2);
    for (const r of rows) expect([r.first_name_fold, r.last_name_fold]).toEqual([foldName(r.first_name), foldName(r.last_name)]);
  });

  const setUp = syncFixtures(db);

  it('a sync writes an accented name found without accents, and its undo puts the old name back, found again', async () => {
    const f = await setUp();
    await f.sync('full');
    const student = usersAt(f, 'student', f.schoolIds[0]!)[0]!;
    const before = (await f.patronByGuid(student.sourcedId))!;
    f.emulator.mutate.changeUser(student.sourcedId, { givenName: 'Ọláolúwa', familyName: 'Adébáyọ̀' });
    const sync = (await f.sync('full')).operation;
    expect(await found(f.store, f.libraryId, 'adebayo')).toEqual([before.id]);
    const preview = await previewUndo(f.store, f.libraryId, sync.id);
    const result = await applyUndo(f.store, f.libraryId, sync.id, { requestedBy: 'test', expect: preview });
    expect(result.status).toBe('applied');
    expect(await found(f.store, f.libraryId, 'adebayo')).toEqual([]);
    expect(await found(f.store, f.libraryId, `${before.lastName}, ${before.firstName}`)).toContain(before.id);
  });

  it('serves a name start from the folded-name indexes', async () => {
    const store = db.store();
    const lib = await db.newLibrary();
    // A library big enough that reading it whole is the worse plan (PostgreSQL prices its
    // plans from the table's statistics, taken here as autovacuum would after such a load).
    const family = ['Smith', 'Johnson', 'Garcia', 'Nguyen', 'Brown', 'Okafor', 'Kowalski', 'Lee'];
    await store.patrons.insertMany(
      lib.id,
      Array.from({ length: 5000 }, (_, i) =>
        patron({ firstName: `Given${i % 300}`, lastName: i % 500 === 0 ? 'Adébáyọ̀' : family[i % family.length]!, barcode: `P${i}` }),
      ),
    );
    const kysely = await raw();
    if (db.dialect === 'postgres') await sql`analyze patrons`.execute(kysely);
    const q = searchQuery(kysely, lib.id, new Map(), { query: 'Adébáyọ̀' })!.page.compile();
    // Folded before it reaches the engine.
    expect(q.parameters).toContain('adebayo');
    const explain = db.dialect === 'sqlite' ? 'explain query plan' : 'explain';
    const rows = await kysely.executeQuery<Record<string, string>>(CompiledQuery.raw(`${explain} ${q.sql}`, [...q.parameters]));
    const plan = rows.rows.map((r) => r.detail ?? r['QUERY PLAN']).join('\n');
    expect(plan).toContain('patrons_last_name_fold');
    expect(plan).toContain('patrons_first_name_fold');
    expect(plan).not.toMatch(/SCAN patrons$|Seq Scan/m);
  });

  it('folds the names of the patrons a database held before migration 0017', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'rollcall-fold-'));
    const schema = db.dialect === 'postgres' ? `rc_fold_${randomBytes(4).toString('hex')}` : '';
    const url = db.dialect === 'postgres' ? db.url() : `sqlite:${join(folder, 'old.db')}`;
    const old = await openDatabase({ url, pgSchema: schema || undefined, migrate: false });
    try {
      const all = migrations(db.dialect);
      const upTo0010 = Object.fromEntries(Object.entries(all).filter(([name]) => name <= '0010-undo'));
      const migrator = new Migrator({
        db: old.kysely,
        provider: { getMigrations: async () => upTo0010 },
        ...(old.schema ? { migrationTableSchema: old.schema } : {}),
      });
      const { error } = await migrator.migrateToLatest();
      expect(error).toBeUndefined();
      const lib = await old.kysely.selectFrom('libraries').select('id').where('code', '=', 'default').executeTakeFirstOrThrow();
      const at = '2026-01-01T00:00:00.000Z';
      const names = [
        ['Ọláolúwa', 'Adébáyọ̀'],
        ['Søren', 'Østergård'],
        ['Olivia', 'Smith'],
      ];
      // Inserted as a pre-0017 Rollcall wrote them: names only (6,001 rows: more than one batch).
      const many = Array.from({ length: 6001 }, (_, i) => {
        const [first, last] = names[i % names.length]!;
        return sql`(${lib.id}, ${first}, ${last}, ${at}, ${at})`;
      });
      await sql`insert into patrons (library_id, first_name, last_name, created_at, updated_at) values ${sql.join(many.slice(0, 3000))}`.execute(
        old.kysely,
      );
      await sql`insert into patrons (library_id, first_name, last_name, created_at, updated_at) values ${sql.join(many.slice(3000))}`.execute(
        old.kysely,
      );
      await migrateToLatest(old.kysely, db.dialect, old.schema);
      const rows = await old.kysely
        .selectFrom('patrons')
        .select(['first_name', 'last_name', 'first_name_fold', 'last_name_fold'])
        .execute();
      expect(rows).toHaveLength(6001);
      for (const r of rows) expect([r.first_name_fold, r.last_name_fold]).toEqual([foldName(r.first_name), foldName(r.last_name)]);
      const store = await db.open({ url, ...(schema ? { pgSchema: schema } : {}) });
      expect((await store.patrons.search(lib.id, { query: 'adebayo' })).total).toBe(2001);
      expect((await store.patrons.search(lib.id, { query: 'ostergard' })).total).toBe(2000);
    } finally {
      if (schema) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(old.kysely);
      await old.kysely.destroy();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
