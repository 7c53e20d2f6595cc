import { describe, expect, it } from 'vitest';
import { chooseSchoolRead } from './school-read.ts';

const district = (n: number) => new Set(Array.from({ length: n }, (_, i) => `org-${i + 1}`));

describe('chooseSchoolRead', () => {
  it('reads per school when the library serves at most half the schools, in sourcedId order, each once', () => {
    expect(chooseSchoolRead(['org-3', 'org-1', 'org-3'], district(200))).toEqual({
      kind: 'per-school',
      schools: ['org-1', 'org-3'],
      why: "the library serves 2 of the district's 200 schools",
    });
    expect(chooseSchoolRead(['org-1', 'org-2'], district(4)).kind).toBe('per-school');
  });

  it('reads the whole district past half the schools ("(nearly) every school")', () => {
    expect(chooseSchoolRead(['org-1', 'org-2', 'org-3'], district(4))).toEqual({
      kind: 'district',
      why: "the library serves 3 of the district's 4 schools (more than half)",
    });
    expect(chooseSchoolRead(['org-1', 'org-2'], district(3)).kind).toBe('district');
  });

  it('reads the whole district when a matched org is not one of its schools, or cannot be a path segment', () => {
    expect(chooseSchoolRead(['org-1', 'org-0'], district(10))).toEqual({
      kind: 'district',
      why: "matched org org-0 is not one of the district's schools",
    });
    expect(chooseSchoolRead(['a/b'], new Set(['a/b', 'x', 'y'])).kind).toBe('district');
  });

  it('reads the whole district when set to, or when nothing is matched', () => {
    expect(chooseSchoolRead(['org-1'], district(200), 'district')).toEqual({ kind: 'district', why: 'the whole-district read is set' });
    expect(chooseSchoolRead([], district(200)).kind).toBe('district');
  });
});
