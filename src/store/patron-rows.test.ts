import { describe, expect, it } from 'vitest';
import { emptyPatronValues } from '../domain/patron.ts';
import { isRollcallError } from '../domain/errors.ts';
import {
  MAX_POOLED,
  PATRON_READ_COLUMNS,
  PATRON_WRITE_COLUMNS,
  patronFromArray,
  patronFromObject,
  StringPool,
  writeValues,
} from './patron-rows.ts';
import type { PatronWrite } from './records.ts';

const write: PatronWrite = {
  ...emptyPatronValues(),
  guid: 'g',
  barcode: 'b',
  communityId: 'c',
  firstName: 'f',
  middleName: 'm',
  lastName: 'l',
  birthdate: '2010-01-02',
  sex: 'Male',
  phone: 'p',
  email: 'e',
  additionalContact: 'a',
  otherEmails: 'o',
  location: 'loc',
  level: '09',
  site: 'MHS',
  status: 4,
  policy: 'Student',
  nickname: 'n',
  guidSource: 'classlink',
  matchedBy: 'guid',
  lastSyncOperationId: 9,
};

describe('patron rows', () => {
  it('writes one value per write column, in column order', () => {
    const values = writeValues(write, new Map([['MHS', 3]]));
    expect(values).toHaveLength(PATRON_WRITE_COLUMNS.length);
    const byColumn = Object.fromEntries(PATRON_WRITE_COLUMNS.map((c, i) => [c, values[i]]));
    expect(byColumn).toMatchObject({
      site_id: 3,
      community_id: 'c',
      additional_contact: 'a',
      status: 4,
      guid_source: 'classlink',
      last_sync_operation_id: 9,
    });
  });

  it('writes with each name its folded copy (the columns the search reads)', () => {
    const values = writeValues({ ...write, firstName: 'Ọ̀látúndé', lastName: 'ØSTERGÅRD' }, new Map([['MHS', 3]]));
    const byColumn = Object.fromEntries(PATRON_WRITE_COLUMNS.map((c, i) => [c, values[i]]));
    expect(byColumn).toMatchObject({ first_name: 'Ọ̀látúndé', first_name_fold: 'olatunde', last_name_fold: 'ostergard' });
  });

  it('reads arrays and objects into the same patron', () => {
    const row = {
      id: 5,
      site_id: 3,
      ...Object.fromEntries(PATRON_WRITE_COLUMNS.map((c, i) => [c, writeValues(write, new Map([['MHS', 3]]))[i]])),
    };
    const codes = new Map([[3, 'MHS']]);
    const fromObject = patronFromObject(row as never, codes);
    const fromArray = patronFromArray(
      PATRON_READ_COLUMNS.map((c) => (row as Record<string, unknown>)[c]),
      codes,
    );
    expect(fromArray).toEqual(fromObject);
    const { lastSyncOperationId: _op, ...expected } = write;
    expect(fromObject).toEqual({ id: 5, ...expected });
  });

  it('refuses an unknown site code and a fractional status', () => {
    expect(writeValues({ ...write, site: '' }, new Map())[0]).toBeNull();
    for (const bad of [
      { ...write, site: 'ELM' },
      { ...write, status: 1.5 },
    ]) {
      let caught: unknown;
      try {
        writeValues(bad, new Map([['MHS', 3]]));
      } catch (e) {
        caught = e;
      }
      expect(isRollcallError(caught, 'invalid_input')).toBe(true);
    }
  });
});

describe('StringPool', () => {
  it('gives back the value it was given, null as null, keeping one entry per distinct value', () => {
    const pool = new StringPool();
    expect([pool.take('Student'), pool.take('Student'), pool.take('Teacher'), pool.takeOrNull(null), pool.takeOrNull('classlink')]).toEqual(
      ['Student', 'Student', 'Teacher', null, 'classlink'],
    );
    expect(pool.size).toBe(3);
  });

  it('keeps at most MAX_POOLED values, and still gives every value back past that', () => {
    const pool = new StringPool();
    for (let i = 0; i <= MAX_POOLED + 10; i++) pool.take(`v${i}`);
    expect(pool.size).toBe(MAX_POOLED);
    expect(pool.take(`v${MAX_POOLED + 5}`)).toBe(`v${MAX_POOLED + 5}`);
  });

  it('reads rows into the same patrons with or without a pool', () => {
    const row = PATRON_READ_COLUMNS.map((_, i) => (i === 0 ? 7 : i === 1 ? null : i === 16 ? 1 : `value ${i}`));
    expect(patronFromArray(row, new Map(), new StringPool())).toEqual(patronFromArray(row, new Map()));
  });
});
