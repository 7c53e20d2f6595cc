import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isRollcallError } from '../domain/errors.ts';
import { loadConfig } from './load.ts';
import { ENV_SCHEMA } from './schema.ts';

describe('loadConfig', () => {
  it('fills every default when nothing is set', () => {
    const c = loadConfig({}, {});
    expect(c.database.url).toBe('sqlite:./data/rollcall.db');
    expect(c.pull).toEqual({ pageSize: 10_000, concurrency: 4, timeoutMs: 60_000, retryAttempts: 6, rosterRead: 'auto' });
    expect(c.classlink.partnerUrl).toBe('https://oneroster-proxy.classlink.io');
    expect(Object.isFrozen(c.pull)).toBe(true);
  });

  it('lets flags win over the environment', () => {
    const c = loadConfig({ ROLLCALL_PORT: '4000' }, { ROLLCALL_PORT: '5000', ROLLCALL_PAGE_SIZE: '500' });
    expect(c.web.port).toBe(4000);
    expect(c.pull.pageSize).toBe(500);
  });

  it('reports every invalid variable together, as config_invalid', () => {
    let error: unknown;
    try {
      loadConfig({}, { ROLLCALL_DATABASE_URL: 'mysql://x', ROLLCALL_PAGE_SIZE: '0', ROLLCALL_CLASSLINK_PARTNER_URL: 'ftp://x' });
    } catch (e) {
      error = e;
    }
    expect(isRollcallError(error, 'config_invalid')).toBe(true);
    const message = (error as Error).message;
    for (const key of ['ROLLCALL_DATABASE_URL', 'ROLLCALL_PAGE_SIZE', 'ROLLCALL_CLASSLINK_PARTNER_URL']) expect(message).toContain(key);
    expect(message).not.toContain('\n');
  });

  it('keeps the secret key beside the SQLite file unless a data dir is given', () => {
    expect(loadConfig({}, { ROLLCALL_DATABASE_URL: 'sqlite:/srv/lib/rollcall.db' }).database.dataDir).toBe('/srv/lib');
    expect(loadConfig({}, { ROLLCALL_DATABASE_URL: 'sqlite:/srv/lib/rollcall.db', ROLLCALL_DATA_DIR: '/keys' }).database.dataDir).toBe(
      '/keys',
    );
    expect(loadConfig({}, { ROLLCALL_DATABASE_URL: 'postgres://h/db' }).database.dataDir).toMatch(/\/data$/);
    expect(loadConfig({}, {}).database.dataDir).toMatch(/\/data$/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({}, { ROLLCALL_PORT: '' }).web.port).toBe(3000);
  });

  it('reads ROLLCALL_ALLOWED_ROSTER_HOSTS with the partner API host added; unset is no list; a bad entry is config_invalid', () => {
    expect(loadConfig({}, {}).allowedRosterHosts).toBeUndefined();
    const c = loadConfig({}, { ROLLCALL_ALLOWED_ROSTER_HOSTS: '*.oneroster.com,sis.example.org:8443' });
    expect(c.allowedRosterHosts).toEqual([
      { host: 'oneroster.com', wildcard: true, port: null },
      { host: 'sis.example.org', wildcard: false, port: 8443 },
      { host: 'oneroster-proxy.classlink.io', wildcard: false, port: 443 },
    ]);
    let error: unknown;
    try {
      loadConfig({}, { ROLLCALL_ALLOWED_ROSTER_HOSTS: 'sis.example.org, http://10.0.0.5/' });
    } catch (e) {
      error = e;
    }
    expect(isRollcallError(error, 'config_invalid')).toBe(true);
    expect((error as Error).message).toBe(
      'Configuration is invalid: ROLLCALL_ALLOWED_ROSTER_HOSTS: "http://10.0.0.5/" is not a host pattern (give the host only, without http:// or a path)',
    );
  });

  it('every variable is documented in docs/configuration.md and described in the schema', () => {
    const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    for (const [key, schema] of Object.entries(ENV_SCHEMA.shape)) {
      expect(doc, key).toContain(`\`${key}\``);
      expect((schema as { description?: string }).description, key).toBeTruthy();
    }
  });
});
