import { describe, expect, it } from 'vitest';
import type { PatronFieldKey } from '../../domain/fields.ts';
import { readCreationDefaults } from '../../sources/creation-defaults.ts';
import { applyRoleDraft, exampleBarcode, type RoleDraft } from './defaults-rules.ts';

const MAPPED = new Map<PatronFieldKey, string>([
  ['firstName', 'ClassLink'],
  ['email', 'ClassLink'],
  ['location', 'OneRoster'],
]);
const current = () => readCreationDefaults({}).student;
const apply = (draft: RoleDraft) => applyRoleDraft('student', current(), draft, MAPPED);
const problem = (draft: RoleDraft) => {
  const r = apply(draft);
  return 'problem' in r ? r.problem : '';
};

describe('creation defaults: the rules of a change (SPEC §3.8)', () => {
  it('takes a Policy, Status, sequence and fixed values, trimmed', () => {
    const r = apply({
      policy: ' Students ',
      status: '2',
      barcodePrefix: 'S',
      barcodeNext: '42',
      barcodeWidth: '6',
      set: { Nickname: ' Kid ', 1001: 'X' },
    });
    expect(r).toEqual({
      defaults: {
        policy: 'Students',
        status: 2,
        barcode: { kind: 'sequence', prefix: 'S', next: 42, width: 6 },
        fixed: { nickname: 'Kid', communityId: 'X' },
      },
    });
    if ('defaults' in r) expect(exampleBarcode(r.defaults.barcode)).toBe('S000042');
  });

  it("leaves what a draft does not name; '' clears a fixed value; barcode none drops the sequence", () => {
    const start = { ...current(), fixed: { nickname: 'Kid', communityId: 'X' } };
    const r = applyRoleDraft('student', start, { set: { nickname: '' }, barcode: 'none' }, MAPPED);
    expect(r).toEqual({ defaults: { ...start, fixed: { communityId: 'X' }, barcode: { kind: 'none' } } });
  });

  it('refuses a blank Policy, naming the role', () => {
    expect(problem({ policy: '  ' })).toMatch(/^The Policy of new students is blank/);
  });

  it('refuses a barcode prefix with spaces', () => {
    expect(problem({ barcodePrefix: 'S 1' })).toMatch(/barcode prefix of new students \("S 1"\) has spaces/);
  });

  it('refuses a width too small for the next number', () => {
    expect(problem({ barcodeNext: '1000', barcodeWidth: '3' })).toBe(
      'The barcode width of new students (3) is too small for the next number 1000: it needs at least 4 digits.',
    );
    expect(problem({ barcodeNext: '999', barcodeWidth: '3' })).toBe('');
  });

  it('refuses a fixed value for a field a sync maps, naming the source', () => {
    expect(problem({ set: { Email: 'a@b.c' } })).toBe(
      'Email cannot have a fixed value for new students: ClassLink maps it, so every sync would overwrite it.',
    );
    expect(problem({ set: { 1004: 'Room 4' } })).toMatch(/^Location cannot have a fixed value .*OneRoster maps it/);
  });

  it('refuses an unknown field, and the fields set by their own rule', () => {
    expect(problem({ set: { Shoe: 'x' } })).toMatch(/^There is no patron field "Shoe"/);
    for (const f of ['Barcode', 'Policy', 'Status', 'Site', 'GUID'])
      expect(problem({ set: { [f]: 'x' } })).toMatch(/cannot have a fixed value/);
  });

  it('refuses Status 4 and what is not a status', () => {
    expect(problem({ status: '4' })).toMatch(/cannot be 4 \(Transferred\)/);
    for (const s of ['0', 'x', '10000', '-1']) expect(problem({ status: s })).toMatch(/must be a whole number from 1 to 9999/);
  });

  it('refuses an unknown barcode assignment and a bad width or next number', () => {
    expect(problem({ barcode: 'random' })).toMatch(/"none" or "sequence"/);
    expect(problem({ barcodeWidth: '0' })).toMatch(/width of new students must be/);
    expect(problem({ barcodeNext: 'ten' })).toMatch(/next barcode number of new students must be a whole number/);
  });
});
