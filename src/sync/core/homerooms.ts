/**
 * Which class is a student's homeroom, and who is its teacher (SPEC §1.2): "A homeroom is a
 * OneRoster class with `classType = homeroom` in which the student is enrolled (role student);
 * its teacher is the primary teacher enrolment of that class (else the first teacher)."
 *
 * One chooser for both kinds of sync, so they cannot disagree: a full sync streams every
 * enrollment past it, a delta only the enrollments of the students whose homeroom enrollments
 * changed (and of their homerooms) — and a student's Location must come out the same either way
 * (SPEC §3.6: the delta brings the new Location "the same night", not a different one).
 *
 * Decision where the spec is silent: "first" is the lowest enrollment sourcedId, not the first
 * to arrive. Arrival order depends on which read an enrollment came in (the whole collection, or
 * a delta's filtered reads) and on paging; the sourcedId does not. A student enrolled in two
 * homerooms therefore gets the same one from every sync.
 */
import type { RosterClass, RosterEnrollment } from '../../domain/roster.ts';
import type { HomeroomInfo } from './types.ts';

/** What Location may be filled from, of a homeroom class. */
export interface HomeroomClass {
  /** The class's classCode. */
  classCode: string;
  /** The class's location. */
  location: string;
}

/** Whether a class counts as a homeroom a student can be in: `classType = homeroom`, and active. */
export function isActiveHomeroom(c: Pick<RosterClass, 'classType' | 'status'>): boolean {
  return c.classType === 'homeroom' && c.status === 'active';
}

/** Picks each student's homeroom and each homeroom's teacher from enrollments, in any order. */
export class HomeroomChooser {
  private readonly studentPick = new Map<string, { enrollment: string; classId: string }>();
  private readonly teacherPick = new Map<string, { enrollment: string; teacherId: string; primary: boolean }>();

  /** `homerooms`: the active homeroom classes, by sourcedId; enrollments in other classes are ignored. */
  constructor(private readonly homerooms: ReadonlyMap<string, HomeroomClass>) {}

  /** Takes one enrollment; only active ones in a homeroom count (a `tobedeleted` one has ended). */
  add(e: Pick<RosterEnrollment, 'sourcedId' | 'status' | 'role' | 'userSourcedId' | 'classSourcedId' | 'primary'>): void {
    if (e.status !== 'active' || !this.homerooms.has(e.classSourcedId)) return;
    if (e.role === 'student') {
      const held = this.studentPick.get(e.userSourcedId);
      if (!held || e.sourcedId < held.enrollment)
        this.studentPick.set(e.userSourcedId, { enrollment: e.sourcedId, classId: e.classSourcedId });
    } else if (e.role === 'teacher') {
      // "the primary teacher enrolment of that class (else the first teacher)"
      const held = this.teacherPick.get(e.classSourcedId);
      const better = !held || (e.primary && !held.primary) || (e.primary === held.primary && e.sourcedId < held.enrollment);
      if (better) this.teacherPick.set(e.classSourcedId, { enrollment: e.sourcedId, teacherId: e.userSourcedId, primary: e.primary });
    }
  }

  /** The students that have a homeroom. */
  students(): IterableIterator<string> {
    return this.studentPick.keys();
  }

  /** The teacher (sourcedId) of each homeroom some student was placed in: whose names Location may need. */
  teacherIds(): string[] {
    const ids = new Set<string>();
    for (const { classId } of this.studentPick.values()) {
      const t = this.teacherPick.get(classId);
      if (t) ids.add(t.teacherId);
    }
    return [...ids];
  }

  /** A student's homeroom, with its teacher's name (`teacherName` of a sourcedId), or undefined when it has none. */
  homeroomOf(student: string, teacherName: (teacherId: string) => string): HomeroomInfo | undefined {
    const pick = this.studentPick.get(student);
    if (!pick) return undefined;
    const c = this.homerooms.get(pick.classId)!;
    const teacher = this.teacherPick.get(pick.classId);
    return { classCode: c.classCode, location: c.location, teacherName: teacher ? teacherName(teacher.teacherId) : '' };
  }
}
