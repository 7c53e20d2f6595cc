/**
 * Signed webhooks after applied operations: an admin registers endpoints (bad ones refused, the
 * secret encrypted at rest and never shown again), real syncs against the emulator, and a
 * receiver on 127.0.0.1 that checks each signature with its own reading of the Standard
 * Webhooks specification (node:crypto here, not Rollcall's signing code). A dry run sends
 * nothing; a 500 is retried after the backoff; an endpoint that keeps answering 503 is marked
 * failing with the reason after the last retry and one alert is raised, cleared by the next
 * notice it takes. The page shows the delivery history.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkAlerts } from '../src/jobs/alerts-job.ts';
import { MAX_WEBHOOK_ATTEMPTS, WEBHOOK_RETRY_DELAYS_MS, runWebhooks } from '../src/jobs/webhooks-job.ts';
import { importPatrons } from '../src/services/patrons/import-patrons.ts';
import { openDatabase } from '../src/store/db.ts';
import type { Library, Operation } from '../src/store/store.ts';
import { describeEachDatabase } from './support/db.ts';
import { syncFixtures, type SyncFixture } from './support/sync-fixture.ts';
import { makeStaff, openWeb, WebClient, type TestWeb } from './support/web.ts';

const PATH_TOKEN = 'p4th-t0ken-of-the-receiver';

/** A receiver: answers the next status of `statuses` (then `otherwise`), keeps each request. */
async function receiver() {
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const control = { statuses: [] as number[], otherwise: 200 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(control.statuses.shift() ?? control.otherwise).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/${PATH_TOKEN}`,
    received,
    control,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Standard Webhooks verification, written from the specification: the key is the base64 after
 * `whsec_`; the signed content is `id.timestamp.body`; the header lists `v1,<base64>` entries
 * separated by spaces, one of which must match.
 */
function verifies(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const id = String(headers['webhook-id'] ?? '');
  const timestamp = String(headers['webhook-timestamp'] ?? '');
  if (!id || !/^\d+$/.test(timestamp)) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return String(headers['webhook-signature'] ?? '')
    .split(' ')
    .some((entry) => {
      const [version, sig] = entry.split(',');
      const given = Buffer.from(sig ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

describeEachDatabase('webhooks: signed notices after applied operations', (db) => {
  const setUp = syncFixtures(db);
  let web: TestWeb;
  let f: SyncFixture;
  let lib: Library;
  let admin: WebClient;
  let hook: Awaited<ReturnType<typeof receiver>>;
  let added: { statusCode: number; body: string };
  let dryRun: Operation;
  let synced: Operation;
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  let clock = Date.now();
  const deps = () => ({ store: f.store, now: () => new Date(clock), publicUrl: 'https://rollcall.example.org', timeoutMs: 5000 });

  beforeAll(async () => {
    web = await openWeb(db);
    f = await setUp();
    lib = (await web.store.libraries.get(f.libraryId))!;
    await makeStaff(web.store, lib, 'admin', `adm-${lib.code}`);
    admin = new WebClient(web.app);
    expect((await admin.signIn(`adm-${lib.code}`)).statusCode).toBe(303);
    hook = await receiver();
    // Registered on the page, then a dry run and a sync (the emulator lives for the first test only).
    await admin.get('/admin/webhooks');
    added = await admin.post('/admin/webhooks', { url: hook.url, secret, description: 'Koha' });
    dryRun = (await f.sync('full', { dryRun: true })).operation;
    synced = (await f.sync('full')).operation;
  });
  afterAll(async () => {
    await hook?.close();
    await web?.close();
  });

  it('refuses an endpoint that is not http(s), points at this server, carries credentials, or has a bad secret; nothing is stored', async () => {
    for (const [url, words] of [
      ['ftp://files.example.org/in', 'not ftp:'],
      ['javascript:alert(1)', 'not javascript:'],
      ['not a url', 'full http:// or https://'],
      ['http://localhost:3000/api/v1/syncs', 'points at this Rollcall server'],
      ['http://127.0.0.1:3000/x', 'points at this Rollcall server'],
      ['http://user:pw@example.org/x', 'user name or password'],
    ] as const) {
      const res = await admin.api('POST', '/api/v1/webhooks', { url, secret });
      expect(res.statusCode, url).toBe(400);
      expect((res.json() as { error: { message: string } }).error.message).toContain(words);
    }
    const weak = await admin.api('POST', '/api/v1/webhooks', { url: hook.url, secret: 'hunter2' });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).not.toContain('hunter2');
    const form = await admin.post('/admin/webhooks', { url: 'ftp://x.example.org/', secret, description: 'Koha' });
    expect(form.statusCode).toBe(400);
    expect(form.body).not.toContain(secret);
    expect(((await admin.api('GET', '/api/v1/webhooks')).json() as unknown[]).length).toBe(1);
  });

  it('the page registers an endpoint; its secret is stored encrypted and never shown again; one Rollcall makes is shown once', async () => {
    expect(added.statusCode).toBe(201);
    expect(added.body).not.toContain(secret);
    const list = await admin.api('GET', '/api/v1/webhooks');
    expect(list.json()).toMatchObject([{ url: hook.url, description: 'Koha', failingSince: null }]);
    expect(list.body).not.toContain(secret.slice(6, 30));
    expect((await admin.get('/admin/webhooks')).body).not.toContain(secret.slice(6, 30));
    const raw = (await openDatabase({ url: db.url(), migrate: false })).kysely;
    const stored = await raw.selectFrom('webhook_endpoints').select('secret').where('library_id', '=', lib.id).execute();
    await raw.destroy();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.secret).not.toContain(secret.slice(6, 30));

    const made = await admin.api('POST', '/api/v1/webhooks', { url: 'https://other.example.org/in' });
    expect(made.statusCode).toBe(201);
    const body = made.json() as { endpoint: { id: number }; secret: string };
    expect(body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect((await admin.api('GET', '/api/v1/webhooks')).body).not.toContain(body.secret.slice(6));
    expect((await admin.api('DELETE', `/api/v1/webhooks/${body.endpoint.id}`)).statusCode).toBe(204);

    // Another library's admin cannot remove it.
    const other = await db.newLibrary('Other library');
    await makeStaff(web.store, other, 'admin', `adm-${other.code}`);
    const stranger = new WebClient(web.app);
    await stranger.signIn(`adm-${other.code}`);
    const ours = (list.json() as { id: number }[])[0]!.id;
    expect((await stranger.api('DELETE', `/api/v1/webhooks/${ours}`)).statusCode).toBe(404);
  });

  it('a dry run sends nothing; a sync sends one notice, signed, naming the feed range of its changes', async () => {
    expect(dryRun.type).toBe('dry_run');
    expect(dryRun.state).toBe('succeeded');
    const op = synced;
    const run = await runWebhooks(deps());
    expect(run).toMatchObject({ enqueued: 1, delivered: 1, failures: [] });
    expect(hook.received).toHaveLength(1);
    const got = hook.received[0]!;
    expect(got.headers['content-type']).toBe('application/json');
    expect(verifies(secret, got.headers, got.body)).toBe(true);
    expect(verifies(secret, got.headers, got.body.replace('"succeeded"', '"failed"'))).toBe(false);
    expect(Number(got.headers['webhook-timestamp'])).toBe(Math.floor(clock / 1000));
    const notice = JSON.parse(got.body) as {
      type: string;
      data: {
        library: { code: string };
        operation: { id: number; state: string };
        counts: { created: number };
        changes: { after: string; through: string };
      };
    };
    expect(notice.type).toBe('operation.applied');
    expect(notice.data.library.code).toBe(lib.code);
    expect(notice.data.operation).toMatchObject({ id: op.id, state: 'succeeded' });
    expect(notice.data.counts.created).toBe(op.counts.created);
    // The range reads exactly this operation's changes from the feed.
    const page = (await admin.api('GET', `/api/v1/changes?after=${notice.data.changes.after}&limit=1000`)).json() as {
      changes: { operation: number; cursor: string }[];
    };
    expect(page.changes.length).toBe(op.counts.created);
    expect(page.changes.every((c) => c.operation === op.id)).toBe(true);
    expect(page.changes[page.changes.length - 1]!.cursor).toBe(notice.data.changes.through);
    // Nothing twice.
    expect(await runWebhooks(deps())).toMatchObject({ enqueued: 0, delivered: 0 });
    expect(hook.received).toHaveLength(1);
    const deliveries = (await admin.api('GET', '/api/v1/webhooks/deliveries')).json() as { operationId: number }[];
    expect(deliveries.map((d) => d.operationId)).toEqual([op.id]);
  });

  it('a 500 is retried after the backoff, with the same webhook-id and a fresh signature', async () => {
    hook.control.statuses.push(500);
    const imported = await importPatrons(
      f.store,
      f.libraryId,
      Readable.from(['1000,1007,1006,1050,1026,1028\nRETRY-1,Cy,Retried,ES,1,Student\n']),
      {
        requestedBy: 'test',
        fileName: 'retry.csv',
      },
    );
    const op = { id: imported.operation };
    expect(await runWebhooks(deps())).toMatchObject({ enqueued: 1, delivered: 0, retried: 1 });
    const [delivery] = (await admin.api('GET', '/api/v1/webhooks/deliveries')).json() as {
      operationId: number;
      state: string;
      attempts: number;
      lastStatus: number;
    }[];
    expect(delivery).toMatchObject({ operationId: op.id, state: 'pending', attempts: 1, lastStatus: 500 });
    clock += WEBHOOK_RETRY_DELAYS_MS[0] - 1000;
    expect(await runWebhooks(deps())).toMatchObject({ delivered: 0, retried: 0 });
    clock += 1000;
    expect(await runWebhooks(deps())).toMatchObject({ delivered: 1 });
    const [first, second] = hook.received.slice(-2);
    expect(first!.headers['webhook-id']).toBe(second!.headers['webhook-id']);
    expect(Number(second!.headers['webhook-timestamp']) - Number(first!.headers['webhook-timestamp'])).toBe(
      WEBHOOK_RETRY_DELAYS_MS[0] / 1000,
    );
    expect(verifies(secret, second!.headers, second!.body)).toBe(true);
  });

  it('an endpoint that keeps answering 503 is marked failing with the reason, one alert; the next notice taken clears both', async () => {
    hook.control.otherwise = 503;
    const csv = '1000,1007,1006,1050,1026,1028\nHOOK-1,Ada,Hooked,ES,1,Student\n';
    const imported = await importPatrons(f.store, f.libraryId, Readable.from([csv]), { requestedBy: 'test', fileName: 'hook.csv' });
    const before = hook.received.length;
    for (let n = 1; n <= MAX_WEBHOOK_ATTEMPTS; n++) {
      await runWebhooks(deps());
      if (n < MAX_WEBHOOK_ATTEMPTS) clock += WEBHOOK_RETRY_DELAYS_MS[n - 1]!;
    }
    expect(hook.received.length - before).toBe(MAX_WEBHOOK_ATTEMPTS);
    clock += 24 * 3_600_000;
    expect((await runWebhooks(deps())).failed).toBe(0);
    expect(hook.received.length - before).toBe(MAX_WEBHOOK_ATTEMPTS);
    const [endpoint] = (await admin.api('GET', '/api/v1/webhooks')).json() as { failingSince: string | null; failingReason: string }[];
    expect(endpoint!.failingSince).not.toBeNull();
    expect(endpoint!.failingReason).toContain('HTTP 503');
    expect(endpoint!.failingReason).toContain(`operation ${imported.operation}`);
    expect(endpoint!.failingReason).not.toContain(PATH_TOKEN);

    const alertDeps = {
      store: f.store,
      alerts: { webhookUrl: undefined, email: undefined, staleHours: 36 },
      publicUrl: '',
      now: () => new Date(clock),
    };
    await checkAlerts(alertDeps);
    await checkAlerts(alertDeps);
    const raised = (await f.store.alerts.list(f.libraryId)).filter((a) => a.kind === 'webhook_failing');
    expect(raised).toHaveLength(1);
    expect(raised[0]!.resolvedAt).toBeNull();
    expect(raised[0]!.message).toContain('HTTP 503');

    const page = await admin.get('/admin/webhooks');
    expect(page.body).toContain('failing since');
    expect(page.body).toMatch(
      new RegExp(`operation ${imported.operation}</a></td>\\s*<td>failed</td>\\s*<td>${MAX_WEBHOOK_ATTEMPTS}</td>`),
    );
    expect(page.body).toMatch(/<td>delivered<\/td>/);

    hook.control.otherwise = 200;
    await importPatrons(f.store, f.libraryId, Readable.from(['1000,1007,1006,1050,1026,1028\nHOOK-2,Bo,Hooked,ES,1,Student\n']), {
      requestedBy: 'test',
      fileName: 'hook2.csv',
    });
    expect(await runWebhooks(deps())).toMatchObject({ delivered: 1 });
    expect(((await admin.api('GET', '/api/v1/webhooks')).json() as { failingSince: string | null }[])[0]!.failingSince).toBeNull();
    await checkAlerts(alertDeps);
    expect((await f.store.alerts.open(f.libraryId)).filter((a) => a.kind === 'webhook_failing')).toHaveLength(0);
  });
});
