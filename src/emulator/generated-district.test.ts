import { describe, expect, it } from 'vitest';
import type { RosterUser } from '../domain/roster.ts';
import { isRollcallError } from '../domain/errors.ts';
import { LEVELS } from './district-layout.ts';
import { materialize, scanCandidates, SCOPES, type ScopeKind } from './district-model.ts';
import { generateDistrict } from './generated-district.ts';

const small = materialize(generateDistrict({ students: 1000, seed: 'shape' }));
const byId = new Map(small.users.map((u) => [u.sourcedId, u]));
const students = small.users.filter((u) => u.role === 'student');

function rowsOf(rows: { length: number; at(k: number): number }): number[] {
  return Array.from({ length: rows.length }, (_, k) => rows.at(k));
}

describe('generateDistrict: fast getters', () => {
  it("read every enrollment's user and class as the record has them", () => {
    const d = generateDistrict({ students: 300, seed: 'getters' });
    const base = d.tables.enrollments.base;
    const user = base.fastGetter!('user.sourcedId')!;
    const klass = base.fastGetter!('class.sourcedId')!;
    for (let i = 0; i < base.size; i++) {
      const e = base.record(i);
      expect(user(i), e.sourcedId).toEqual([e.userSourcedId]);
      expect(klass(i), e.sourcedId).toEqual([e.classSourcedId]);
    }
  });
});

describe('generateDistrict: determinism', () => {
  it('gives the same district for the same seed and size', () => {
    const a = materialize(generateDistrict({ students: 300, seed: 'same' }));
    const b = materialize(generateDistrict({ students: 300, seed: 'same' }));
    expect(b).toEqual(a);
  });

  it('gives a different district for a different seed', () => {
    const a = materialize(generateDistrict({ students: 300, seed: 1 }));
    const b = materialize(generateDistrict({ students: 300, seed: 2 }));
    expect(b.users.map((u) => u.givenName)).not.toEqual(a.users.map((u) => u.givenName));
    expect(b.users.length).toBe(a.users.length);
  });

  it('refuses sizes it cannot generate', () => {
    for (const students of [0, 1.5, 20_000_000]) {
      let caught: unknown;
      try {
        generateDistrict({ students, seed: 1 });
      } catch (e) {
        caught = e;
      }
      expect(isRollcallError(caught, 'usage'), String(students)).toBe(true);
    }
  });
});

describe('generateDistrict: shape', () => {
  it('has one district and several named schools under it', () => {
    const district = small.orgs.filter((o) => o.type === 'district');
    const schools = small.orgs.filter((o) => o.type === 'school');
    expect(district).toHaveLength(1);
    expect(schools.length).toBeGreaterThanOrEqual(3);
    expect(new Set(schools.map((s) => s.name)).size).toBe(schools.length);
    for (const s of schools) expect(s).toMatchObject({ parentSourcedId: district[0]!.sourcedId, name: expect.stringMatching(/School/) });
  });

  it('has a school year with terms and grading periods', () => {
    const types = small.academicSessions.map((s) => s.type);
    expect(types.filter((t) => t === 'schoolYear')).toHaveLength(1);
    expect(types.filter((t) => t === 'term').length).toBeGreaterThanOrEqual(2);
    expect(small.academicSessions.every((s) => s.schoolYear === '2027')).toBe(true);
  });

  it('has the promised counts of students, teachers, parents and administrators', () => {
    const count = (role: string) => small.users.filter((u) => u.role === role).length;
    expect(students).toHaveLength(1000);
    expect(count('teacher')).toBeGreaterThanOrEqual(50);
    expect(count('teacher')).toBeLessThanOrEqual(60);
    expect(count('parent') + count('guardian')).toBe(students.reduce((n, s) => n + s.agentSourcedIds.length, 0));
    expect(count('guardian')).toBeGreaterThan(0);
    const districtAdmins = small.users.filter((u) => u.role === 'administrator' && u.orgSourcedIds[0] === 'org-00000000');
    expect(districtAdmins.length).toBeGreaterThanOrEqual(2);
  });

  it('gives each student a grade of their school level, and a first org that is their school', () => {
    const schools = new Map(small.orgs.map((o) => [o.sourcedId, o]));
    for (const s of students) {
      expect(s.grades).toHaveLength(1);
      expect(schools.get(s.orgSourcedIds[0]!)?.type).toBe('school');
      expect(LEVELS.some((l) => (l.grades as readonly string[]).includes(s.grades[0]!))).toBe(true);
    }
    expect(new Set(students.map((s) => s.grades[0]))).toEqual(new Set(LEVELS.flatMap((l) => l.grades)));
    const dual = students.filter((s) => s.orgSourcedIds.length === 2);
    expect(dual.length).toBeGreaterThan(0);
    for (const s of dual) expect(s.orgSourcedIds[1]).not.toBe(s.orgSourcedIds[0]);
  });

  it('links students and their 1–2 parents both ways', () => {
    for (const s of students) {
      expect(s.agentSourcedIds.length).toBeGreaterThanOrEqual(1);
      expect(s.agentSourcedIds.length).toBeLessThanOrEqual(2);
      for (const p of s.agentSourcedIds) {
        const parent = byId.get(p)!;
        expect(['parent', 'guardian']).toContain(parent.role);
        expect(parent.agentSourcedIds).toEqual([s.sourcedId]);
      }
    }
  });

  it('carries identifiers, usernames, userIds of several types, and some blanks', () => {
    const types = new Set(students.flatMap((s) => s.userIds.map((i) => i.type)));
    expect(types).toEqual(new Set(['FED', 'LDAP']));
    expect(students.filter((s) => s.identifier === '').length).toBeGreaterThan(0);
    expect(students.filter((s) => s.identifier !== '').length).toBeGreaterThan(900);
    expect(small.users.filter((u) => u.email === '').length).toBeGreaterThan(0);
    expect(students.every((s) => s.username !== '')).toBe(true);
    expect(students.filter((s) => s.email !== '').every((s) => /^[a-z0-9.]+@[a-z0-9.-]+$/.test(s.email))).toBe(true);
  });

  it('has Unicode names: accents, CJK, apostrophes, hyphens', () => {
    const names = small.users.flatMap((u: RosterUser) => [u.givenName, u.familyName]);
    expect(names.some((n) => /[À-ÿĀ-ž]/.test(n))).toBe(true);
    expect(names.some((n) => /[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]/.test(n))).toBe(true);
    expect(names.some((n) => n.includes("'"))).toBe(true);
    expect(names.some((n) => n.includes('-'))).toBe(true);
  });

  it('puts every student in one homeroom and a class per period, each class with one primary teacher', () => {
    const classes = new Map(small.classes.map((c) => [c.sourcedId, c]));
    const homerooms = small.classes.filter((c) => c.classType === 'homeroom');
    expect(homerooms.filter((c) => c.classCode !== '' && c.location !== '').length).toBeGreaterThan(homerooms.length / 2);
    const perStudent = new Map<string, string[]>();
    const primaries = new Map<string, number>();
    const teachersOf = new Map<string, number>();
    for (const e of small.enrollments) {
      expect(classes.has(e.classSourcedId)).toBe(true);
      expect(byId.get(e.userSourcedId)?.role).toBe(e.role);
      if (e.role === 'student') perStudent.set(e.userSourcedId, [...(perStudent.get(e.userSourcedId) ?? []), e.classSourcedId]);
      else {
        teachersOf.set(e.classSourcedId, (teachersOf.get(e.classSourcedId) ?? 0) + 1);
        if (e.primary) primaries.set(e.classSourcedId, (primaries.get(e.classSourcedId) ?? 0) + 1);
      }
    }
    for (const s of students) {
      const mine = perStudent.get(s.sourcedId)!.map((id) => classes.get(id)!);
      expect(mine.filter((c) => c.classType === 'homeroom')).toHaveLength(1);
      expect(mine.every((c) => c.schoolSourcedId === s.orgSourcedIds[0])).toBe(true);
    }
    for (const c of small.classes) expect(primaries.get(c.sourcedId)).toBe(1);
    expect([...teachersOf.values()].some((n) => n === 2)).toBe(true);
  });

  it('has demographics for students, teachers and administrators, not parents', () => {
    const withDemo = new Set(small.demographics.map((d) => d.sourcedId));
    for (const u of small.users) expect(withDemo.has(u.sourcedId)).toBe(['student', 'teacher', 'administrator'].includes(u.role));
    const sexes = new Set(small.demographics.map((d) => d.sex));
    expect(sexes).toEqual(new Set(['male', 'female', 'other', 'unspecified']));
    const dated = small.demographics.filter((d) => d.birthDate !== '');
    expect(dated.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d.birthDate) && !Number.isNaN(Date.parse(d.birthDate)))).toBe(true);
    expect(dated.length).toBeLessThan(small.demographics.length);
  });
});

describe('generateDistrict: ids and scopes', () => {
  const d = generateDistrict({ students: 1000, seed: 'ids' });

  it('keeps every collection sorted by sourcedId, each id resolving to its row', () => {
    for (const [name, table] of Object.entries(d.tables)) {
      const ids = Array.from({ length: table.base.size }, (_, i) => table.base.idOf(i));
      expect([...ids].sort(), name).toEqual(ids);
      expect(new Set(ids).size, name).toBe(ids.length);
      for (const [i, id] of ids.entries()) expect(table.base.indexOf(id)).toBe(i);
      expect(table.base.indexOf(`${ids[0]}x`)).toBe(-1);
    }
  });

  it('computes every scope exactly as a scan would find it', () => {
    const parents: Record<string, string[]> = {
      schools: d.tables.orgs.base.size > 1 ? ['org-00000001', 'org-00000002', `org-0000000${d.layout.schools}`] : [],
      classes: [0, 9, 19, d.layout.classes - 1].map((c) => d.tables.classes.base.idOf(c)),
    };
    for (const kind of Object.keys(SCOPES) as ScopeKind[]) {
      const parent = SCOPES[kind].parent;
      for (const id of parent ? parents[parent]! : ['']) {
        expect(rowsOf(d.candidates(kind, id)), `${kind} ${id}`).toEqual(scanCandidates(d, kind, id));
      }
    }
  });
});

describe('generateDistrict at 100,000 students', () => {
  const big = generateDistrict({ students: 100_000, seed: 'big' });

  it('lays out the whole district and builds records anywhere in it', () => {
    const { layout, tables } = big;
    expect(layout.students).toBe(100_000);
    expect(layout.schools).toBe(200);
    expect(tables.users.size).toBe(layout.admins + layout.parents + layout.students + layout.teachers);
    const last = tables.users.base.record(tables.users.base.size - 1);
    expect(last.role).toBe('teacher');
    const lastStudent = tables.users.get('stu-00099999')!;
    expect(lastStudent.orgSourcedIds[0]).toBe('org-00000200');
    expect(tables.enrollments.size).toBeGreaterThan(400_000);
  });

  it('lists as a second-org visitor the wrapped-around student of the last school in school 1', () => {
    const rows = rowsOf(big.candidates('schoolStudents', 'org-00000001'));
    const visitor = big.tables.users.record(rows.at(-1)!);
    expect(visitor.orgSourcedIds).toEqual(['org-00000200', 'org-00000001']);
  });
});
