import { describe, expect, it } from 'vitest';
import { collectionOf, describeStatus, findStatusInfo, parseJsonBody, UnreadableBody } from './envelope.ts';

const FAILURE_12 = {
  imsx_codeMajor: 'failure',
  imsx_severity: 'error',
  imsx_description: 'No such\nobject',
  imsx_CodeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: 'unknownobject' }] },
};
const FAILURE_11 = {
  imsx_codeMajor: 'failure',
  imsx_severity: 'error',
  imsx_description: 'Bad sort',
  imsx_codeMinor: { imsx_codeMinorField: { imsx_codeMinorFieldName: 'x', imsx_codeMinorFieldValue: 'invalid_sort_field' } },
};

describe('findStatusInfo', () => {
  it('recognises the 1.2 top-level envelope', () => {
    expect(findStatusInfo(FAILURE_12)).toEqual({ codeMajor: 'failure', codeMinor: 'unknownobject', description: 'No such object' });
  });

  it('recognises the 1.1 statusInfoSet array', () => {
    expect(findStatusInfo({ statusInfoSet: [FAILURE_11] })).toEqual({
      codeMajor: 'failure',
      codeMinor: 'invalid_sort_field',
      description: 'Bad sort',
    });
  });

  it('recognises imsx_statusInfo', () => {
    expect(findStatusInfo({ imsx_statusInfo: FAILURE_12 })?.codeMinor).toBe('unknownobject');
  });

  it('finds nothing in a plain collection', () => {
    expect(findStatusInfo({ users: [] })).toBeNull();
    expect(findStatusInfo([1])).toBeNull();
    expect(findStatusInfo('x')).toBeNull();
  });

  it('cuts a long description to one short line', () => {
    const s = findStatusInfo({ ...FAILURE_12, imsx_description: 'x'.repeat(500) });
    expect(s?.description.length).toBe(200);
  });
});

describe('collectionOf', () => {
  it('returns the array under the key', () => {
    expect(collectionOf({ users: [{ sourcedId: 'a' }] }, 'users')).toEqual([{ sourcedId: 'a' }]);
  });

  it('accepts a collection alongside a success status', () => {
    expect(collectionOf({ users: [], statusInfoSet: [{ imsx_codeMajor: 'success' }] }, 'users')).toEqual([]);
  });

  it.each([
    ['a 1.2 error envelope', FAILURE_12, 'an error report "No such object" (unknownobject)'],
    ['a 1.1 error envelope', { statusInfoSet: [FAILURE_11] }, 'an error report "Bad sort" (invalid_sort_field)'],
    ['an imsx_statusInfo envelope', { imsx_statusInfo: FAILURE_12 }, 'an error report "No such object" (unknownobject)'],
    ['another collection', { orgs: [] }, 'a response without a "users" list'],
    ['a bare array', [{ sourcedId: 'a' }], 'a response without a "users" list'],
    ['a non-array under the key', { users: { sourcedId: 'a' } }, 'a response without a "users" list'],
  ])('rejects %s as unreadable', (_name, body, message) => {
    expect(() => collectionOf(body, 'users')).toThrow(UnreadableBody);
    expect(() => collectionOf(body, 'users')).toThrow(message);
  });

  it('rejects a failure even when a collection key is present', () => {
    expect(() => collectionOf({ ...FAILURE_12, users: [] }, 'users')).toThrow(UnreadableBody);
  });
});

describe('parseJsonBody', () => {
  it('parses JSON', () => {
    expect(parseJsonBody('{"users":[]}')).toEqual({ users: [] });
  });

  it('names a truncated or empty body', () => {
    expect(() => parseJsonBody('{"users":[{"sourcedId":"a"')).toThrow('a response that is not valid JSON');
    expect(() => parseJsonBody('')).toThrow('an empty response');
  });
});

describe('describeStatus', () => {
  it('names a non-failure report by its code', () => {
    expect(describeStatus({ codeMajor: 'unsupported', codeMinor: '', description: '' })).toBe('a "unsupported" report');
  });
});
