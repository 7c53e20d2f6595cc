/**
 * Delta syncs (SPEC §3.6), value cleaning (§3.3), barcode sequences on creation (§3.3) and
 * Location from the homeroom (§1.2, §2 step 4), through the store on SQLite and PostgreSQL
 * against the emulator.
 */
import { describe, expect, it } from 'vitest';
import type { RosterUser } from '../src/domain/roster.ts';
import { OPERATION_TYPES } from '../src/domain/operation.ts';
import { describeEachDatabase } from './support/db.ts';
import { HOUR_MS, syncFixtures, usersAt, type SyncFixture } from './support/sync-fixture.ts';

/** Students of the first matched school (ES). */
function studentsOfES(f: SyncFixture): RosterUser[] {
  return usersAt(f, 'student', f.schoolIds[0]!);
}

/** The homeroom teacher's name of a student, worked out from the district's classes and enrollments. */
function homeroomTeacherOf(f: SyncFixture, studentId: string): string {
  const homerooms = new Set(f.district.classes.filter((c) => c.classType === 'homeroom').map((c) => c.sourcedId));
  const mine = f.district.enrollments.find((e) => e.role === 'student' && e.userSourcedId === studentId && homerooms.has(e.classSourcedId));
  if (!mine) return '';
  const teachers = f.district.enrollments.filter((e) => e.role === 'teacher' && e.classSourcedId === mine.classSourcedId);
  const teacher = teachers.find((e) => e.primary) ?? teachers[0];
  const u = teacher && f.user(teacher.userSourcedId);
  return u ? `${u.givenName} ${u.familyName}` : '';
}

describeEachDatabase('sync: delta, values, barcodes, location', (db) => {
  const setUp = syncFixtures(db);

  describe('delta (SPEC §3.6)', () => {
    it('reads only what changed since the last successful sync (less the overlap)', async () => {
      const f = await setUp();
      const [early, late] = studentsOfES(f);
      f.emulator.mutate.changeUser(early!.sourcedId, { familyName: 'Changed-Before' });
      f.advance(HOUR_MS);
      const full = await f.sync('full');
      expect(await f.patronByGuid(early!.sourcedId)).toMatchObject({ lastName: 'Changed-Before' });

      f.advance(HOUR_MS);
      f.emulator.mutate.changeUser(late!.sourcedId, { familyName: 'Changed-After' });
      f.advance(HOUR_MS);
      const delta = await f.sync('delta');
      expect(delta.operation.type).toBe(OPERATION_TYPES.delta);
      // Only the later change was read: had `early` been read too it would count as unchanged.
      expect(delta.operation.counts).toMatchObject({ created: 0, updated: 1, unchanged: 0, transferred: 0 });
      expect(await f.patronByGuid(late!.sourcedId)).toMatchObject({ lastName: 'Changed-After' });
      expect(full.operation.state).toMatch(/^succeeded/);

      // The watermark moved to the delta's start: a later delta reads nothing.
      f.advance(HOUR_MS);
      const again = await f.sync('delta');
      expect(again.operation.counts).toMatchObject({ created: 0, updated: 0, unchanged: 0, transferred: 0 });
    });

    it('updates Birthdate and Sex from changed demographics of an unchanged user', async () => {
      const f = await setUp();
      const u = studentsOfES(f)[1]!;
      await f.sync('full');
      f.advance(HOUR_MS);
      f.emulator.mutate.changeDemographics(u.sourcedId, { birthDate: '2019-12-31', sex: 'unspecified' });
      f.advance(HOUR_MS);
      const delta = await f.sync('delta');
      expect(delta.operation.counts.updated).toBe(1);
      expect(await f.patronByGuid(u.sourcedId)).toMatchObject({ birthdate: '2019-12-31', sex: 'Unspecified' });
    });

    it('brings a changed parent into their child’s Additional Contact and Other Emails', async () => {
      const f = await setUp();
      const child = studentsOfES(f).find((u) => u.agentSourcedIds.length > 0)!;
      const parentId = child.agentSourcedIds[0]!;
      await f.sync('full');
      f.advance(HOUR_MS);
      f.emulator.mutate.changeUser(parentId, {
        givenName: 'Pat',
        familyName: 'Guardian',
        phone: '555-0100',
        email: 'pat.guardian@mail.example.com',
      });
      f.advance(HOUR_MS);
      const delta = await f.sync('delta');
      expect(delta.operation.counts).toMatchObject({ updated: 1, unchanged: 0 });
      const p = (await f.patronByGuid(child.sourcedId))!;
      expect(p.additionalContact).toBe('Pat Guardian (555-0100)');
      expect(p.otherEmails.split(', ')[0]).toBe('pat.guardian@mail.example.com');
    });

    it('drops a guardian marked tobedeleted from their child’s contacts (blank when none is left)', async () => {
      const f = await setUp();
      const child = studentsOfES(f).find((u) => u.agentSourcedIds.length > 0)!;
      await f.sync('full');
      f.advance(HOUR_MS);
      for (const parentId of child.agentSourcedIds) f.emulator.mutate.markToBeDeleted(parentId);
      f.advance(HOUR_MS);
      await f.sync('delta');
      expect(await f.patronByGuid(child.sourcedId)).toMatchObject({ additionalContact: '', otherEmails: '' });
    });

    it('leaves Location alone for a changed student whose homeroom enrollments did not change', async () => {
      const f = await setUp({ settings: (s) => void (s.mapping.location = 'homeroom-location') });
      const u = studentsOfES(f)[2]!;
      await f.sync('full');
      const located = (await f.patronByGuid(u.sourcedId))!;
      expect(located.location).not.toBe('');
      f.advance(HOUR_MS);
      f.emulator.mutate.changeUser(u.sourcedId, { familyName: 'Moved-Desk' });
      f.advance(HOUR_MS);
      await f.sync('delta');
      expect(await f.patronByGuid(u.sourcedId)).toMatchObject({ lastName: 'Moved-Desk', location: located.location });
    });

    it('an incomplete delta does not move the watermark: what it may have missed is read again next time', async () => {
      const f = await setUp();
      const [u, v] = studentsOfES(f);
      await f.sync('full');
      f.advance(HOUR_MS);
      f.emulator.mutate.changeUser(u!.sourcedId, { familyName: 'Seen-Twice' });
      f.advance(HOUR_MS);
      f.emulator.setFaults({ driftTotals: { afterRequests: 1, by: 3 } });
      const incomplete = await f.sync('delta');
      expect(incomplete.complete).toBe(false);
      expect(incomplete.operation.counts.updated).toBe(1);

      f.emulator.setFaults({});
      f.advance(HOUR_MS);
      f.emulator.mutate.changeUser(v!.sourcedId, { familyName: 'Later' });
      f.advance(HOUR_MS);
      const next = await f.sync('delta');
      expect(next.complete).toBe(true);
      // The first change is read again (and found applied), with the new one.
      expect(next.operation.counts).toMatchObject({ updated: 1, unchanged: 1 });
    });

    it('runs a full read when there is no earlier successful sync', async () => {
      const f = await setUp();
      const delta = await f.sync('delta');
      expect(delta.operation.counts.created).toBe(f.expectedInScope().length);
      expect((await f.log(delta.operation.id)).some((l) => /full sync instead/i.test(l.message))).toBe(true);
    });
  });

  describe('value cleaning (SPEC §3.3)', () => {
    it('blanks a date that is not real, an email that is not one and an unknown sex; cuts an over-long name; warns for each', async () => {
      const f = await setUp();
      const [a, b, c] = studentsOfES(f);
      f.emulator.mutate.changeDemographics(a!.sourcedId, { birthDate: '2015-02-30', sex: 'M' });
      f.emulator.mutate.changeUser(b!.sourcedId, { givenName: `  ${'Maximiliana'.repeat(12)}  ` });
      f.emulator.mutate.changeUser(c!.sourcedId, { email: 'not an email' });

      const { operation } = await f.sync('full');
      expect(operation.state).toBe('succeeded_with_warnings');
      expect(await f.patronByGuid(a!.sourcedId)).toMatchObject({ birthdate: '', sex: '' });
      const cut = (await f.patronByGuid(b!.sourcedId))!.firstName;
      expect(cut).toBe('Maximiliana'.repeat(12).slice(0, 100));
      expect(await f.patronByGuid(c!.sourcedId)).toMatchObject({ email: '' });

      const warnings = (await f.log(operation.id)).filter((l) => l.level === 'warning');
      const about = (id: string) =>
        warnings
          .filter((w) => w.sourcedId === id)
          .map((w) => w.message)
          .join('\n');
      expect(about(a!.sourcedId)).toMatch(/Birthdate/);
      expect(about(a!.sourcedId)).toMatch(/Sex/);
      expect(about(b!.sourcedId)).toMatch(/First Name.*cut/);
      expect(about(c!.sourcedId)).toMatch(/Email/);
      expect(operation.counts.warnings).toBeGreaterThanOrEqual(4);
      // Warnings never quote the raw value.
      expect(warnings.some((w) => w.message.includes('2015-02-30') || w.message.includes('not an email'))).toBe(false);
    });
  });

  describe('barcodes of new patrons (SPEC §3.3)', () => {
    it('assigns the next free number of the role’s sequence, passing over one in use, and stores where it got to', async () => {
      const f = await setUp({
        defaults: (d) => void (d.student.barcode = { kind: 'sequence', prefix: 'S', next: 1, width: 5 }),
      });
      await f.addPatron({ barcode: 's00002', firstName: 'Already', lastName: 'Taken', policy: 'Student', site: 'HS' });
      await f.sync('full');

      const students = f.expectedInScope(['student']);
      const barcodes = await Promise.all(students.map(async (u) => (await f.patronByGuid(u.sourcedId))!.barcode));
      const expected = Array.from({ length: students.length + 1 }, (_, k) => `S${String(k + 1).padStart(5, '0')}`).filter(
        (b) => b !== 'S00002',
      );
      expect(barcodes.sort()).toEqual(expected);
      for (const t of f.expectedInScope(['teacher'])) expect((await f.patronByGuid(t.sourcedId))!.barcode).toBe('');
      const stored = (await f.defaults()).student.barcode;
      expect(stored).toMatchObject({ kind: 'sequence', next: students.length + 2 });

      // The next creation continues the sequence.
      f.emulator.mutate.addUser({
        sourcedId: 'stu-new-1',
        role: 'student',
        orgSourcedIds: [f.schoolIds[1]!],
        givenName: 'New',
        familyName: 'Comer',
      });
      await f.sync('full');
      expect((await f.patronByGuid('stu-new-1'))!.barcode).toBe(`S${String(students.length + 2).padStart(5, '0')}`);
    });
  });

  describe('Location from the homeroom (SPEC §1.2)', () => {
    it('writes the homeroom teacher’s name as Location of students only, when mapped', async () => {
      const f = await setUp({ settings: (s) => void (s.mapping.location = 'homeroom-teacher') });
      await f.sync('full');
      const students = f.expectedInScope(['student']);
      for (const u of students) expect((await f.patronByGuid(u.sourcedId))!.location, u.sourcedId).toBe(homeroomTeacherOf(f, u.sourcedId));
      expect(students.some((u) => homeroomTeacherOf(f, u.sourcedId) !== '')).toBe(true);
      for (const t of f.expectedInScope(['teacher'])) expect((await f.patronByGuid(t.sourcedId))!.location).toBe('');
    });

    it('writes the homeroom class code when mapped to it, and nothing when not mapped', async () => {
      const f = await setUp({ settings: (s) => void (s.mapping.location = 'homeroom-code') });
      await f.sync('full');
      const codes = new Set(f.district.classes.filter((c) => c.classType === 'homeroom' && c.classCode !== '').map((c) => c.classCode));
      const located = (await f.patrons()).filter((p) => p.location !== '');
      expect(located.length).toBeGreaterThan(0);
      for (const p of located) expect(codes.has(p.location)).toBe(true);

      const g = await setUp();
      await g.sync('full');
      expect((await g.patrons()).every((p) => p.location === '')).toBe(true);
    });
  });
});
