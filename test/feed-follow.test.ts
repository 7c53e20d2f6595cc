/**
 * The change feed (GET /api/v1/changes) followed by a consumer the way a library system would:
 * from the start, page by page, saving its cursor and its copy of the patrons after each page.
 * Syncs against the emulator, hand edits, an import, undos and a removal are interleaved, and
 * the consumer restarts in the middle (a new web app, its saved state read back). At the end its
 * copy is exactly the library's patrons as a full export prints them. Also the refusals: 400 a
 * malformed or foreign cursor, 404 another library's, 410 a cursor older than the retention,
 * and a feed-scoped token that reaches nothing else.
 *
 * The deletion goes through the removal code (services/patrons/remove-patrons.ts): one journal
 * row (field `*`, kind `removal`, old value the patron's values as JSON), the patron row gone.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeChangeCursor } from '../src/domain/change-cursor.ts';
import type { ChangeEvent, ChangeValues } from '../src/services/feed/change-events.ts';
import { applyUndo } from '../src/services/operations/undo-operation.ts';
import { editPatron } from '../src/services/patrons/edit-patron.ts';
import { exportPatrons } from '../src/services/patrons/export-patrons.ts';
import { importPatrons } from '../src/services/patrons/import-patrons.ts';
import { deletePatron } from '../src/services/patrons/remove-patrons.ts';
import type { Library } from '../src/store/store.ts';
import { describeEachDatabase } from './support/db.ts';
import { syncFixtures, usersAt, type SyncFixture } from './support/sync-fixture.ts';
import { makeStaff, openWeb, WebClient, type TestWeb } from './support/web.ts';

/** What a consumer keeps between runs: its cursor and its copy of the patrons by Rollcall id. */
interface Saved {
  cursor: string | undefined;
  patrons: [number, ChangeValues][];
}

/** A downstream system following the feed with a feed-scoped token, a few rows a page. */
class Consumer {
  readonly patrons: Map<number, ChangeValues>;
  cursor: string | undefined;
  readonly seen: string[] = [];

  constructor(
    private readonly client: WebClient,
    saved: Saved = { cursor: undefined, patrons: [] },
  ) {
    this.cursor = saved.cursor;
    this.patrons = new Map(saved.patrons);
  }

  /** Reads every change after its cursor, applying each page before saving the page's `next`. */
  async follow(): Promise<number> {
    let applied = 0;
    for (;;) {
      const url = `/api/v1/changes?limit=7${this.cursor === undefined ? '' : `&after=${this.cursor}`}`;
      const res = await this.client.api('GET', url);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as { changes: ChangeEvent[]; next: string; more: boolean };
      for (const e of page.changes) {
        this.apply(e);
        this.seen.push(e.cursor);
        applied++;
      }
      this.cursor = page.next;
      if (!page.more) return applied;
    }
  }

  save(): Saved {
    return JSON.parse(JSON.stringify({ cursor: this.cursor, patrons: [...this.patrons] })) as Saved;
  }

  private apply(e: ChangeEvent): void {
    if (e.type === 'created') this.patrons.set(e.patron, { ...e.values });
    else if (e.type === 'deleted') this.patrons.delete(e.patron);
    else {
      const current = this.patrons.get(e.patron);
      if (!current) throw new Error(`a ${e.type} event for patron ${e.patron}, never created in the feed`);
      this.patrons.set(e.patron, { ...current, ...e.values });
    }
  }
}

describeEachDatabase('change feed: a consumer follows it', (db) => {
  const setUp = syncFixtures(db);
  let web: TestWeb;
  let f: SyncFixture;
  let lib: Library;
  let admin: WebClient;
  let feedToken: string;

  async function fullExport(): Promise<string[]> {
    let text = '';
    await exportPatrons(f.store, f.libraryId, { format: 'json' }, (chunk) => {
      text += chunk;
    });
    return (JSON.parse(text) as unknown[]).map((p) => JSON.stringify(p)).sort();
  }

  function copyOf(c: Consumer): string[] {
    return [...c.patrons.values()].map((p) => JSON.stringify(p)).sort();
  }

  function feedClient(app = web.app): WebClient {
    const c = new WebClient(app);
    c.bearer = feedToken;
    return c;
  }

  beforeAll(async () => {
    web = await openWeb(db);
    f = await setUp();
    lib = (await web.store.libraries.get(f.libraryId))!;
    await makeStaff(web.store, lib, 'admin', `adm-${lib.code}`);
    admin = new WebClient(web.app);
    expect((await admin.signIn(`adm-${lib.code}`)).statusCode).toBe(303);
    const made = await admin.api('POST', '/api/v1/tokens', { name: 'Koha', role: 'librarian', scope: 'feed' });
    expect(made.statusCode).toBe(201);
    expect((made.json() as { record: { scope: string } }).record.scope).toBe('feed');
    feedToken = (made.json() as { token: string }).token;
  });
  afterAll(async () => web?.close());

  it('syncs, hand edits, an import, undos and a removal, with a restart in the middle: the copy is the full export', async () => {
    const students = usersAt(f, 'student', f.schoolIds[0]!);
    let consumer = new Consumer(feedClient());
    expect(await consumer.follow()).toBe(0);

    const first = (await f.sync('full')).operation;
    expect(await consumer.follow()).toBeGreaterThan(0);
    expect(copyOf(consumer)).toEqual(await fullExport());

    // A hand edit, then a sync that changes names and leaves one student out (transferred).
    const edited = (await f.patronByGuid(students[0]!.sourcedId))!;
    await editPatron(f.store, f.libraryId, edited.id, { lastName: 'Handedit', email: '' }, { username: 'lib', role: 'librarian' });
    f.emulator.mutate.changeUser(students[1]!.sourcedId, { familyName: 'Renamed' });
    f.emulator.mutate.changeUser(students[2]!.sourcedId, { status: 'tobedeleted' });
    f.advance(60_000);
    const second = (await f.sync('full')).operation;
    expect(second.counts.transferred).toBeGreaterThan(0);
    await consumer.follow();

    // The consumer's process stops here; what it saved is all that survives, and so does the server.
    const saved = consumer.save();
    await web.close();
    web = await openWeb(db);

    const csv = '1000,1007,1006,1050,1026,1028\nIMP-1,Ada,Imported,ES,1,Student\nIMP-2,Bo,Imported,MS,1,Student\n';
    await importPatrons(f.store, f.libraryId, Readable.from([csv]), { requestedBy: 'test', fileName: 'extra.csv' });
    const undone = await applyUndo(f.store, f.libraryId, second.id, { requestedBy: 'test' });
    expect(undone.status).toBe('applied');

    // A patron deleted (SPEC §3.10), by the removal code itself: one `*` row, the patron gone.
    const removed = (await f.patronByGuid(students[3]!.sourcedId))!;
    await deletePatron(f.store, f.libraryId, removed.id, { staffUserId: null, actor: 'test' });

    consumer = new Consumer(feedClient(), saved);
    await consumer.follow();
    // An undo of the first sync's creates sets them Transferred; a hand edit of one of them after.
    if (undone.status === 'applied') {
      const again = await applyUndo(f.store, f.libraryId, undone.operation.id, { requestedBy: 'test' });
      expect(again.status).toBe('applied');
    }
    const other = (await f.patronByGuid(students[4]!.sourcedId))!;
    await editPatron(f.store, f.libraryId, other.id, { status: '4' }, { username: 'lib', role: 'librarian' });
    await editPatron(f.store, f.libraryId, other.id, { status: '1', phone: '555-0100' }, { username: 'lib', role: 'librarian' });
    expect(first.state).toBe('succeeded');
    await consumer.follow();

    const expected = await fullExport();
    expect(expected.length).toBeGreaterThan(30);
    expect(copyOf(consumer)).toEqual(expected);
    // Each change once: no cursor seen twice, and they only grow.
    expect(new Set(consumer.seen).size).toBe(consumer.seen.length);
    const ids = consumer.seen.map((c) => Number(Buffer.from(c, 'base64url').toString('utf8').split('.')[2]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    // The snapshot a consumer starts from is the same patrons, keyed as the events key them.
    const snapshot = (await feedClient().api('GET', '/api/v1/changes/snapshot')).json() as {
      cursor: string;
      patrons: { patron: number; values: ChangeValues }[];
    };
    expect(snapshot.cursor).toBe(consumer.cursor);
    expect(new Map(snapshot.patrons.map((p) => [p.patron, p.values]))).toEqual(consumer.patrons);
    // Asking again from the end is an empty page with the same cursor.
    const end = (await feedClient().api('GET', `/api/v1/changes?after=${consumer.cursor}`)).json() as { changes: unknown[]; next: string };
    expect(end).toMatchObject({ changes: [], next: consumer.cursor });
  });

  it('refuses a malformed or foreign cursor (400), another library’s (404), and one older than the retention (410)', async () => {
    const c = feedClient();
    const bad = await c.api('GET', '/api/v1/changes?after=not-a-cursor!');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { kind: 'invalid_input' } });
    const foreign = await c.api('GET', `/api/v1/changes?after=${Buffer.from('v9.1.2').toString('base64url')}`);
    expect(foreign.statusCode).toBe(400);
    const theirs = await c.api('GET', `/api/v1/changes?after=${encodeChangeCursor({ libraryId: f.libraryId + 1000, journalId: 1 })}`);
    expect(theirs.statusCode).toBe(404);
    expect((await c.api('GET', '/api/v1/changes?limit=0')).statusCode).toBe(400);

    // The retention reaper prunes every row written before a cutoff: a cursor before them is gone.
    const head = (await c.api('GET', '/api/v1/changes/head')).json() as { cursor: string };
    await f.store.journal.prune(new Date(Date.now() + 60_000).toISOString(), 5000);
    expect(await f.store.journal.horizon(f.libraryId)).toBeGreaterThan(0);
    const gone = await c.api('GET', `/api/v1/changes?after=${encodeChangeCursor({ libraryId: f.libraryId, journalId: 0 })}`);
    expect(gone.statusCode).toBe(410);
    const body = gone.json() as { error: { kind: string; message: string }; cursor: string };
    expect(body.error.kind).toBe('gone');
    expect(body.error.message).toContain(`read a full export, then follow from cursor ${body.cursor}`);
    expect(body.cursor).toBe(head.cursor);
    expect((await c.api('GET', '/api/v1/changes/head')).json()).toEqual(head);
    // Following from that cursor works, and so does the cursor of the last row pruned.
    expect((await c.api('GET', `/api/v1/changes?after=${body.cursor}`)).statusCode).toBe(200);
  });

  it('a feed token reads the feed and nothing else; the feed is in the OpenAPI document', async () => {
    const c = feedClient();
    expect((await c.api('GET', '/api/v1/changes/head')).statusCode).toBe(200);
    expect((await c.api('GET', '/api/v1/patrons')).statusCode).toBe(403);
    expect((await c.api('GET', '/api/v1/operations')).statusCode).toBe(403);
    expect((await c.api('POST', '/api/v1/syncs', { kind: 'full' })).statusCode).toBe(403);
    const everyRoute = web.app.rollcallRoutes.filter((r) => r.access !== 'public' && !r.url.startsWith('/api/v1/changes'));
    for (const r of everyRoute) {
      const url = r.url.replace(/:[a-zA-Z]+/g, '1');
      const res = await c.api(r.method, url, r.method === 'GET' ? undefined : {});
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(403);
    }
    const doc = (await new WebClient(web.app).get('/api/v1/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/v1/changes'] ?? {})).toEqual(['get']);
    expect(Object.keys(doc.paths['/api/v1/changes/head'] ?? {})).toEqual(['get']);
  });
});
