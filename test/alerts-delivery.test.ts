import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { alertsHandler, checkAlerts, type AlertsDeps } from '../src/jobs/alerts-job.ts';
import { openAlerts } from '../src/services/alerts/open-alerts.ts';
import type { Store } from '../src/store/store.ts';
import { rollcallHere } from './cli-support.ts';
import { describeEachDatabase, type DatabaseTestContext } from './support/db.ts';

/** The token part of the webhook URL: it must never show up in an error, a log or the CLI. */
const HOOK_TOKEN = 'T0KEN-s3cret-hook-path';

/** A webhook receiver on 127.0.0.1: records each POST; answers `status`, or never when `hang`. */
async function webhookServer() {
  // biome-ignore lint/suspicious/noExplicitAny: the tests read the posted JSON's fields by path.
  const received: { path: string; contentType: string; body: Record<string, any> }[] = [];
  const control = { status: 200, hang: false };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      });
      if (control.hang) return; // never answers: the sender's timeout must end it
      res.writeHead(control.status, { 'content-type': 'text/plain' }).end(control.status === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${port}/hooks/${HOOK_TOKEN}`, received, control };
}

/** A minimal SMTP server on 127.0.0.1 (node:net) that accepts every message and keeps it. */
async function smtpSink() {
  const messages: { from: string; to: string[]; data: string }[] = [];
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let current = { from: '', to: [] as string[], data: '' };
    socket.write('220 sink.test ESMTP\r\n');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          messages.push({ ...current, data: buffer.slice(0, end) });
          current = { from: '', to: [], data: '' };
          buffer = buffer.slice(end + 5);
          inData = false;
          socket.write('250 2.0.0 queued\r\n');
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250-sink.test\r\n250 8BITMIME\r\n');
        else if (verb === 'MAIL') {
          current.from = line;
          socket.write('250 2.1.0 ok\r\n');
        } else if (verb === 'RCPT') {
          current.to.push(line);
          socket.write('250 2.1.5 ok\r\n');
        } else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') {
          socket.end('221 bye\r\n');
          return;
        } else socket.write('250 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  closers.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `smtp://127.0.0.1:${port}`, port, messages };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function fakeClock(start: string) {
  let t = Date.parse(start);
  return { now: () => new Date(t), advanceHours: (h: number) => (t += h * 3_600_000) };
}

/** A failed (or otherwise ended) sync of the library, on the store's clock. */
async function endedSync(store: Store, libraryId: number, state: 'failed' | 'succeeded' | 'needs_review', error = '') {
  const { operation } = await store.operations.create(libraryId, {
    type: 'classlink_delta_sync',
    source: 'classlink',
    requestedBy: 'schedule',
  });
  await store.operations.start(libraryId, operation.id);
  await store.operations.finish(libraryId, operation.id, { state, ...(error ? { error } : {}) });
  return operation.id;
}

async function setUp(db: DatabaseTestContext, channels: Partial<AlertsDeps['alerts']> = {}) {
  const clock = fakeClock('2026-03-02T07:00:00Z');
  const store = await db.open({ now: clock.now });
  const lib = await store.libraries.ensure('mhs', 'Maple High');
  await store.integrations.save(lib.id, 'classlink', { enabled: true, settings: {} });
  const deps: AlertsDeps = {
    store,
    alerts: { staleHours: 36, webhookUrl: undefined, email: undefined, ...channels },
    publicUrl: 'http://rollcall.test',
    now: clock.now,
    deliveryTimeoutMs: 2000,
  };
  return { clock, store, lib, deps };
}

describeEachDatabase(
  'alerts: raised, sent once, resolved',
  (db) => {
    it('sends a failed sync to the webhook once, and resolves it when a sync succeeds', async () => {
      const hook = await webhookServer();
      const { store, lib, deps } = await setUp(db, { webhookUrl: hook.url });
      const failed = await endedSync(store, lib.id, 'failed', 'The roster server could not be reached (ECONNREFUSED).');

      const first = await checkAlerts(deps);
      expect(first).toEqual({ open: 1, sent: 1, failures: [] });
      expect(hook.received).toHaveLength(1);
      expect(hook.received[0]!.path).toBe(`/hooks/${HOOK_TOKEN}`);
      expect(hook.received[0]!.contentType).toBe('application/json');
      expect(hook.received[0]!.body).toMatchObject({
        source: 'rollcall',
        alert: { kind: 'sync_failed', operationId: failed, url: `http://rollcall.test/operations/${failed}` },
        library: { code: 'mhs', name: 'Maple High' },
      });
      expect(hook.received[0]!.body.alert.message).toContain('ECONNREFUSED');

      // Every later check (the job runs each minute): nothing sent again.
      expect(await alertsHandler(deps)({ at: '' })).toEqual({ ok: true, detail: '1 alert open, 0 deliveries made', idle: false });
      await checkAlerts(deps);
      expect(hook.received).toHaveLength(1);
      expect(await openAlerts(store, lib.id)).toMatchObject([
        { kind: 'sync_failed', operationId: failed, webhookSentAt: expect.any(String) },
      ]);

      await endedSync(store, lib.id, 'succeeded');
      expect(await checkAlerts(deps)).toEqual({ open: 0, sent: 0, failures: [] });
      expect(await openAlerts(store, lib.id)).toEqual([]);
      expect(hook.received).toHaveLength(1);
    });

    it('raises a stale library past the threshold, sends it once, and shows it in `rollcall status`', async () => {
      const hook = await webhookServer();
      const { clock, store, lib, deps } = await setUp(db, { webhookUrl: hook.url });
      const success = await endedSync(store, lib.id, 'succeeded');

      clock.advanceHours(35);
      await checkAlerts(deps);
      expect(hook.received).toHaveLength(0);

      clock.advanceHours(2); // 37 hours since the last success
      await checkAlerts(deps);
      await checkAlerts(deps);
      expect(hook.received.map((r) => [r.body.alert.kind, r.body.alert.operationId])).toEqual([['stale', success]]);
      expect(hook.received[0]!.body.alert.message).toBe('No successful sync since 2026-03-02 07:00 UTC (more than 36 hours).');

      const env = {
        ROLLCALL_DATABASE_URL: db.url(),
        ROLLCALL_SECRET_KEY: db.secretKey,
        ROLLCALL_DATA_DIR: db.dataDir(),
        ROLLCALL_ALERT_WEBHOOK_URL: hook.url,
      };
      const json = await rollcallHere(['status', '--json'], env);
      expect(json.code).toBe(0);
      const statuses = JSON.parse(json.stdout) as {
        code: string;
        lastSuccess: { id: number } | null;
        alerts: { kind: string; sent: boolean }[];
      }[];
      expect(statuses.find((s) => s.code === 'mhs')).toMatchObject({
        lastSuccess: { id: success },
        alerts: [{ kind: 'stale', sent: true }],
      });
      const text = await rollcallHere(['status'], env);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/ALERT \d+ \(stale, 2026-03-03 20:00:00 UTC, sent\): No successful sync since/);
      expect(text.stdout + text.stderr).not.toContain(HOOK_TOKEN);

      // A library that is not expected to sync (Daily Operations off) is not stale.
      await store.schedules.save(lib.id, { enabled: false });
      await checkAlerts(deps);
      expect(await openAlerts(store, lib.id)).toEqual([]);
    });

    it('retries a refused or silent webhook with one-line errors that never show its URL, then sends once', async () => {
      const hook = await webhookServer();
      const { store, lib, deps } = await setUp(db, { webhookUrl: hook.url });
      const held = await endedSync(store, lib.id, 'needs_review');

      hook.control.status = 500;
      const refused = await checkAlerts(deps);
      expect(refused.failures).toEqual([
        expect.stringMatching(/alert \d+: The alert webhook answered HTTP 500; the alert was not taken\.$/),
      ]);

      hook.control.hang = true;
      const silent = await checkAlerts({ ...deps, deliveryTimeoutMs: 300 });
      expect(silent.failures).toEqual([expect.stringContaining('The alert webhook did not answer within 0.3 s.')]);
      const [alert] = await openAlerts(store, lib.id);
      expect(alert).toMatchObject({ kind: 'needs_review', operationId: held, webhookSentAt: null, attempts: 2 });
      for (const text of [...refused.failures, ...silent.failures, alert!.lastError]) expect(text).not.toContain(HOOK_TOKEN);

      hook.control.hang = false;
      hook.control.status = 204;
      expect((await checkAlerts(deps)).sent).toBe(1);
      await checkAlerts(deps);
      expect(hook.received).toHaveLength(3); // refused, unanswered, taken — and nothing after
      expect((await openAlerts(store, lib.id))[0]).toMatchObject({ webhookSentAt: expect.any(String), lastError: '' });
    });

    it('sends an alert by e-mail through SMTP, once, and reports a refused server without its password', async () => {
      const sink = await smtpSink();
      const email = { smtpUrl: sink.url, to: ['librarian@example.org', 'it@example.org'], from: 'Rollcall <rollcall@example.org>' };
      const { store, lib, deps } = await setUp(db, { email });
      const failed = await endedSync(store, lib.id, 'failed', 'Credentials refused (401).');

      expect(await checkAlerts(deps)).toEqual({ open: 1, sent: 1, failures: [] });
      await checkAlerts(deps);
      expect(sink.messages).toHaveLength(1);
      const [message] = sink.messages;
      expect(message!.from).toContain('<rollcall@example.org>');
      expect(message!.to).toEqual(['RCPT TO:<librarian@example.org>', 'RCPT TO:<it@example.org>']);
      expect(message!.data).toContain('Subject: Rollcall alert: sync failed, Maple High (mhs)');
      expect(message!.data).toContain(`ClassLink Delta Sync ${failed} failed: Credentials refused (401).`);
      expect((await openAlerts(store, lib.id))[0]).toMatchObject({ emailSentAt: expect.any(String), webhookSentAt: null });

      // A server that is not there: one line, no password.
      const closed = await smtpSink();
      await closers.pop()!();
      const broken = { ...email, smtpUrl: `smtp://alerts:Pa55word-XYZ@127.0.0.1:${closed.port}` };
      await endedSync(store, lib.id, 'failed', 'again');
      const result = await checkAlerts({ ...deps, alerts: { ...deps.alerts, email: broken } });
      expect(result.failures).toEqual([expect.stringMatching(/^mhs: alert \d+: The alert e-mail was not sent: .*ECONNREFUSED.*\.$/)]);
      expect(result.failures[0]).not.toContain('Pa55word-XYZ');
    });
  },
  { isolation: 'test' },
);

it('refuses half an e-mail configuration, and reads a whole one', async () => {
  const { loadConfig } = await import('../src/config/load.ts');
  const { isRollcallError } = await import('../src/domain/errors.ts');
  for (const env of [{ ROLLCALL_SMTP_URL: 'smtp://mail.example.org:587' }, { ROLLCALL_ALERT_EMAIL_TO: 'it@example.org' }]) {
    let error: unknown;
    try {
      loadConfig({}, env);
    } catch (e) {
      error = e;
    }
    expect(isRollcallError(error, 'config_invalid')).toBe(true);
  }
  const config = loadConfig(
    {},
    { ROLLCALL_SMTP_URL: 'smtps://u:p@mail.example.org', ROLLCALL_ALERT_EMAIL_TO: 'a@example.org, b@example.org' },
  );
  expect(config.alerts).toEqual({
    staleHours: 36,
    webhookUrl: undefined,
    email: { smtpUrl: 'smtps://u:p@mail.example.org', to: ['a@example.org', 'b@example.org'], from: 'Rollcall <rollcall@localhost>' },
  });
});
