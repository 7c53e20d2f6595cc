import { describe, expect, it } from 'vitest';
import {
  classOfStudent,
  layoutDistrict,
  parentCount,
  parentsBefore,
  PERIODS,
  schoolOfStudent,
  studentOfParent,
  studentsOfClass,
} from './district-layout.ts';
import { isoInstant } from './iso-time.ts';
import { mix, seedHash } from './seeded.ts';

describe('district layout arithmetic', () => {
  it('numbers parents so that studentOfParent inverts parentsBefore', () => {
    for (let i = 0; i < 1000; i++) {
      for (let which = 0; which < parentCount(i); which++) {
        expect(studentOfParent(parentsBefore(i) + which)).toEqual({ student: i, which });
      }
    }
  });

  it('puts every student of a school block in that school, for uneven sizes too', () => {
    for (const [students, schools] of [
      [100_000, 200],
      [1001, 7],
      [10, 3],
    ] as const) {
      const layout = layoutDistrict({ students, seed: 1, schools });
      for (let j = 0; j < schools; j++) {
        for (let i = layout.studentStart[j]!; i < layout.studentStart[j + 1]!; i++) {
          if (schoolOfStudent(layout, i) !== j) throw new Error(`student ${i} of ${students} is not in school ${j}`);
        }
      }
    }
  });

  it("lists each class's students as exactly those whose class it is", () => {
    const layout = layoutDistrict({ students: 777, seed: 1 });
    const members = new Map<number, number[]>();
    for (let i = 0; i < layout.students; i++) {
      for (let period = 0; period <= PERIODS; period++) {
        const c = classOfStudent(layout, i, period);
        members.set(c, [...(members.get(c) ?? []), i]);
      }
    }
    expect(members.size).toBe(layout.classes);
    for (const [c, students] of members) expect(studentsOfClass(layout, c)).toEqual(students);
  });
});

describe('seeded hashing and time formatting', () => {
  it('hashes seeds and indices deterministically and differently', () => {
    expect(seedHash('a')).toBe(seedHash('a'));
    expect(seedHash('a')).not.toBe(seedHash('b'));
    expect(seedHash(1)).toBe(seedHash('1'));
    expect(mix(1, 5, 2)).toBe(mix(1, 5, 2));
    expect(new Set(Array.from({ length: 1000 }, (_, i) => mix(7, i, 3))).size).toBe(1000);
  });

  it('formats instants exactly as Date#toISOString', () => {
    for (let k = 0; k < 2000; k++) {
      const ms = Date.UTC(1990, 0, 1) + mix(3, k, 9) * 400 + (k % 1000);
      expect(isoInstant(ms)).toBe(new Date(ms).toISOString());
    }
  });
});
