import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from './url.ts';
import { isRollcallError } from '../domain/errors.ts';

describe('parseDatabaseUrl', () => {
  it('resolves a relative SQLite path against the working folder', () => {
    expect(parseDatabaseUrl('sqlite:./data/rollcall.db', '/srv/app')).toEqual({
      kind: 'sqlite',
      path: '/srv/app/data/rollcall.db',
    });
  });

  it('accepts absolute SQLite paths written with slashes', () => {
    expect(parseDatabaseUrl('sqlite:///var/lib/r.db', '/x')).toEqual({ kind: 'sqlite', path: '/var/lib/r.db' });
    expect(parseDatabaseUrl('sqlite:/var/lib/r.db', '/x')).toEqual({ kind: 'sqlite', path: '/var/lib/r.db' });
  });

  it('keeps an in-memory SQLite database', () => {
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
  });

  it('describes a PostgreSQL URL without its password', () => {
    const loc = parseDatabaseUrl('postgres://lib:s3cret@db.example:6543/rollcall');
    expect(loc).toMatchObject({ kind: 'postgres', schema: '', display: 'lib@db.example:6543/rollcall' });
    expect(loc.kind === 'postgres' ? loc.display : '').not.toContain('s3cret');
  });

  it('reads the schema from a search_path option', () => {
    const loc = parseDatabaseUrl('postgresql://postgres@127.0.0.1/test?options=-c%20search_path%3Dt_abc');
    expect(loc).toMatchObject({ kind: 'postgres', schema: 't_abc', display: 'postgres@127.0.0.1:5432/test' });
  });

  it('refuses anything else with a config_invalid sentence', () => {
    for (const bad of ['mysql://x', 'sqlite:', 'rollcall.db']) {
      let caught: unknown;
      try {
        parseDatabaseUrl(bad);
      } catch (e) {
        caught = e;
      }
      expect(isRollcallError(caught, 'config_invalid')).toBe(true);
    }
  });
});
