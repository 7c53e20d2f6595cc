/**
 * The sign-in limit (SPEC §4, src/web/auth/sign-in-limit.ts) through the real sign-in form:
 * successful sign-ins never count (a shared front-desk account signs in all day); failures are
 * limited per address and username, and per address whatever the usernames; a limited attempt
 * gets the sign-in page with one clear sentence and a Retry-After, not a bare error page; the
 * window ends by the server's clock. SQLite only: the limit is kept in the web process's memory,
 * not in the database, and each attempt costs a real scrypt verification (about 80 of them).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FAILURES_PER_ACCOUNT, FAILURES_PER_ADDRESS, LIMIT_WINDOW_MS } from '../src/web/auth/sign-in-limit.ts';
import { describeEachDatabase } from './support/db.ts';
import { makeStaff, openWeb, WebClient, type TestWeb } from './support/web.ts';

describeEachDatabase(
  'web: the sign-in limit',
  (db) => {
    let web: TestWeb;
    let clock = Date.parse('2026-09-01T08:00:00.000Z');
    let frontDesk = '';
    beforeAll(async () => {
      web = await openWeb(db, {}, () => new Date(clock));
      const lib = await db.newLibrary();
      frontDesk = `front-desk-${lib.code}`;
      await makeStaff(web.store, lib, 'librarian', frontDesk);
    });
    afterAll(async () => web?.close());

    /** A client at its own address (each test its own, so their failures do not add up). */
    const at = (address: string) => new WebClient(web.app, address);

    async function attempt(c: WebClient, username: string, password?: string) {
      if (!c.csrf) await c.get('/login');
      return password === undefined ? c.signIn(username) : c.post('/login', { username, password });
    }

    it('never counts successful sign-ins: 20 in a row from one address all succeed', async () => {
      const c = at('10.0.0.1');
      for (let i = 0; i < 2 * FAILURES_PER_ACCOUNT; i++) {
        const res = await c.signIn(frontDesk);
        expect(res.statusCode, `sign-in ${i + 1}`).toBe(303);
        await c.post('/logout');
      }
    });

    it('limits failures per address and username, with a clear sentence on the sign-in page; a success empties the count', async () => {
      const c = at('10.0.0.2');
      // Typos before a success are forgotten by it: the front desk is never locked out by its own.
      for (let i = 0; i < FAILURES_PER_ACCOUNT - 1; i++) expect((await attempt(c, frontDesk, 'wrong password')).statusCode).toBe(401);
      expect((await attempt(c, frontDesk)).statusCode).toBe(303);
      await c.post('/logout');
      for (let i = 0; i < FAILURES_PER_ACCOUNT; i++) expect((await attempt(c, frontDesk, 'wrong password')).statusCode).toBe(401);
      // Now limited — even with the right password, which is not checked at all.
      const limited = await attempt(c, frontDesk);
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBe(String(LIMIT_WINDOW_MS / 1000));
      expect(limited.body).toContain('Too many wrong passwords for this username: sign-in is paused for it for 15 minutes.');
      expect(limited.body).not.toContain('Rate limit exceeded');
      expect(limited.body).not.toContain('Something is wrong');
      // The sign-in form is still there, with the username kept.
      expect(limited.body).toContain(`name="username" autocomplete="username" required value="${frontDesk}"`);
      // Another username from the same address, and the same username from elsewhere, go on.
      expect((await attempt(c, 'someone-else', 'wrong password')).statusCode).toBe(401);
      expect((await attempt(at('10.0.0.3'), frontDesk)).statusCode).toBe(303);
      // The window ends by the server's clock.
      clock += LIMIT_WINDOW_MS - 60_000;
      const later = await attempt(c, frontDesk);
      expect(later.statusCode).toBe(429);
      expect(later.body).toContain('paused for it for 1 minute.');
      clock += 60_000;
      expect((await attempt(c, frontDesk)).statusCode).toBe(303);
    });

    it('limits failures per address whatever the usernames; other addresses go on', async () => {
      const c = at('10.0.0.4');
      for (let i = 0; i < FAILURES_PER_ADDRESS; i++) {
        expect((await attempt(c, `guess-${i}`, 'wrong password')).statusCode, `failure ${i + 1}`).toBe(401);
      }
      const limited = await attempt(c, 'guess-new', 'wrong password');
      expect(limited.statusCode).toBe(429);
      expect(limited.body).toContain('Too many failed sign-ins from your network: sign-in is paused here for 15 minutes.');
      // The front desk from that address waits too (the price of the address bucket); elsewhere it does not.
      expect((await attempt(c, frontDesk)).statusCode).toBe(429);
      expect((await attempt(at('10.0.0.5'), frontDesk)).statusCode).toBe(303);
      clock += LIMIT_WINDOW_MS;
      expect((await attempt(c, frontDesk)).statusCode).toBe(303);
    });
  },
  { only: 'sqlite' },
);
