import { describe, expect, it } from 'vitest';
import type { RosterEnrollment } from '../../domain/roster.ts';
import { HomeroomChooser, isActiveHomeroom, type HomeroomClass } from './homerooms.ts';

const HOMEROOMS: ReadonlyMap<string, HomeroomClass> = new Map([
  ['hr-1', { classCode: 'HR-1', location: 'Room 1' }],
  ['hr-2', { classCode: 'HR-2', location: 'Room 2' }],
]);

type E = Pick<RosterEnrollment, 'sourcedId' | 'status' | 'role' | 'userSourcedId' | 'classSourcedId' | 'primary'>;
const student = (sourcedId: string, user: string, klass: string, status: E['status'] = 'active'): E => ({
  sourcedId,
  status,
  role: 'student',
  userSourcedId: user,
  classSourcedId: klass,
  primary: false,
});
const teacher = (sourcedId: string, user: string, klass: string, primary = false, status: E['status'] = 'active'): E => ({
  sourcedId,
  status,
  role: 'teacher',
  userSourcedId: user,
  classSourcedId: klass,
  primary,
});
const NAMES: Record<string, string> = { t1: 'Ann First', t2: 'Bo Second', t3: 'Cy Third' };
const name = (id: string) => NAMES[id] ?? '';

/** Every order of a list (small lists only). */
function permutations<T>(list: readonly T[]): T[][] {
  if (list.length <= 1) return [list.slice()];
  return list.flatMap((x, i) => permutations([...list.slice(0, i), ...list.slice(i + 1)]).map((rest) => [x, ...rest]));
}

function choose(enrollments: readonly E[]): HomeroomChooser {
  const c = new HomeroomChooser(HOMEROOMS);
  for (const e of enrollments) c.add(e);
  return c;
}

describe('HomeroomChooser (SPEC §1.2)', () => {
  it('gives a student the homeroom class they are enrolled in, with its primary teacher', () => {
    const c = choose([student('e1', 's1', 'hr-1'), teacher('e2', 't1', 'hr-1'), teacher('e3', 't2', 'hr-1', true)]);
    expect(c.homeroomOf('s1', name)).toEqual({ classCode: 'HR-1', location: 'Room 1', teacherName: 'Bo Second' });
    expect(c.teacherIds()).toEqual(['t2']);
  });

  it('without a primary teacher, takes the first teacher (lowest enrollment sourcedId); none: a blank name', () => {
    expect(
      choose([student('e1', 's1', 'hr-1'), teacher('e9', 't1', 'hr-1'), teacher('e3', 't3', 'hr-1')]).homeroomOf('s1', name),
    ).toMatchObject({
      teacherName: 'Cy Third',
    });
    expect(choose([student('e1', 's1', 'hr-2')]).homeroomOf('s1', name)).toEqual({
      classCode: 'HR-2',
      location: 'Room 2',
      teacherName: '',
    });
  });

  it('ignores ended (tobedeleted) enrollments and classes that are not active homerooms', () => {
    const c = choose([
      student('e1', 's1', 'hr-1', 'tobedeleted'),
      student('e2', 's2', 'math-1'),
      teacher('e3', 't1', 'hr-2', true, 'tobedeleted'),
      student('e4', 's3', 'hr-2'),
    ]);
    expect(c.homeroomOf('s1', name)).toBeUndefined();
    expect(c.homeroomOf('s2', name)).toBeUndefined();
    expect(c.homeroomOf('s3', name)).toEqual({ classCode: 'HR-2', location: 'Room 2', teacherName: '' });
    expect([...c.students()]).toEqual(['s3']);
  });

  it('picks the same homeroom and teacher whatever order the enrollments arrive in', () => {
    const all = [
      student('e5', 's1', 'hr-2'),
      student('e4', 's1', 'hr-1'),
      teacher('e7', 't1', 'hr-1'),
      teacher('e8', 't2', 'hr-1', true),
      teacher('e6', 't3', 'hr-1', true),
    ];
    const expected = { classCode: 'HR-1', location: 'Room 1', teacherName: 'Cy Third' };
    for (const order of permutations(all)) expect(choose(order).homeroomOf('s1', name)).toEqual(expected);
  });

  it('counts only active classes of type homeroom', () => {
    expect(isActiveHomeroom({ classType: 'homeroom', status: 'active' })).toBe(true);
    expect(isActiveHomeroom({ classType: 'homeroom', status: 'tobedeleted' })).toBe(false);
    expect(isActiveHomeroom({ classType: 'scheduled', status: 'active' })).toBe(false);
  });
});
