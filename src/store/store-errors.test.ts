import { describe, expect, it } from 'vitest';
import { RollcallError, isRollcallError } from '../domain/errors.ts';
import { isUniqueViolation, mapStoreError } from './store-errors.ts';

const file = { kind: 'sqlite', display: '/srv/rollcall/data/rollcall.db' } as const;
const server = { kind: 'postgres', display: 'rollcall@db.example:5432/rollcall' } as const;

function coded(code: string, message = 'low-level detail'): Error {
  return Object.assign(new Error(message), { code });
}

function sentence(e: unknown): string {
  expect(isRollcallError(e, 'store_failed')).toBe(true);
  const message = (e as Error).message;
  expect(message).not.toContain('\n');
  expect(message).not.toContain('low-level detail');
  return message;
}

describe('mapStoreError on SQLite', () => {
  it.each([
    ['SQLITE_FULL', /disk holding the database \/srv\/rollcall\/data\/rollcall\.db is full/],
    ['ENOSPC', /is full; free some space/],
    ['SQLITE_READONLY', /is read-only; make it and its folder writable/],
    ['SQLITE_READONLY_DBMOVED', /is read-only/],
    ['EROFS', /is read-only/],
    ['SQLITE_CANTOPEN', /^Cannot open the database/],
    ['EACCES', /^Cannot open the database/],
    ['SQLITE_BUSY', /stayed locked by another process/],
    ['SQLITE_NOTADB', /is not a Rollcall database or is damaged/],
    ['SQLITE_CORRUPT', /is not a Rollcall database or is damaged/],
    ['SQLITE_IOERR_WRITE', /disk I\/O error/],
  ])('%s becomes a sentence', (code, expected) => {
    expect(sentence(mapStoreError(coded(code), file))).toMatch(expected);
  });

  it('leaves constraint violations and bugs alone', () => {
    const unique = coded('SQLITE_CONSTRAINT_UNIQUE');
    expect(mapStoreError(unique, file)).toBe(unique);
    const bug = new TypeError('x is undefined');
    expect(mapStoreError(bug, file)).toBe(bug);
  });
});

describe('mapStoreError on PostgreSQL', () => {
  it.each([
    ['ECONNREFUSED', /^Cannot reach the PostgreSQL server for rollcall@db\.example:5432\/rollcall;/],
    ['ETIMEDOUT', /^Cannot reach the PostgreSQL server/],
    ['ENOTFOUND', /^Cannot find the PostgreSQL host/],
    ['28P01', /refused the user name or password/],
    ['28000', /refused the user name or password/],
    ['3D000', /does not exist; create it first/],
    ['53100', /is full/],
    ['53300', /no free connections/],
    ['57P01', /closed the connection or is not ready/],
    ['08006', /closed the connection or is not ready/],
    ['25006', /read-only/],
  ])('%s becomes a sentence', (code, expected) => {
    expect(sentence(mapStoreError(coded(code), server))).toMatch(expected);
  });

  it('reads the code inside an AggregateError (Node tries several addresses)', () => {
    const e = new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], 'connect failed');
    expect(sentence(mapStoreError(e, server))).toMatch(/^Cannot reach/);
  });

  it('maps the pool connect timeout and a dropped connection', () => {
    expect(sentence(mapStoreError(new Error('timeout exceeded when trying to connect'), server))).toMatch(/^Cannot reach/);
    expect(sentence(mapStoreError(new Error('Connection terminated unexpectedly'), server))).toMatch(/closed the connection/);
  });

  it('leaves unique violations, syntax errors and RollcallErrors alone', () => {
    const unique = coded('23505');
    expect(mapStoreError(unique, server)).toBe(unique);
    const syntax = coded('42601');
    expect(mapStoreError(syntax, server)).toBe(syntax);
    const mine = new RollcallError('conflict', 'x');
    expect(mapStoreError(mine, server)).toBe(mine);
  });
});

describe('isUniqueViolation', () => {
  it('recognises both engines and nothing else', () => {
    expect(isUniqueViolation(coded('23505'))).toBe(true);
    expect(isUniqueViolation(coded('SQLITE_CONSTRAINT_UNIQUE'))).toBe(true);
    expect(isUniqueViolation(coded('SQLITE_CONSTRAINT_FOREIGNKEY'))).toBe(false);
    expect(isUniqueViolation(coded('23503'))).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
  });
});
