/**
 * Changes to the served district between syncs (RunningEmulator.mutate and the
 * `POST /_emulator/mutate` control endpoint). Every change stamps dateLastModified with the
 * emulator's clock, so delta pulls (`dateLastModified>'…'`) see it — of users, demographics
 * and enrollments alike: a real roster server stamps an enrollment that is added or ended, and
 * a delta that reads homerooms (SPEC §3.6) finds the change by that stamp.
 */
import { z } from 'zod';
import type { RosterClass, RosterDemographics, RosterEnrollment, RosterUser } from '../domain/roster.ts';
import { RollcallError } from '../domain/errors.ts';
import type { District } from './district-model.ts';
import type { DistrictMutations } from './types.ts';

/** Mutations of a district, stamped by a clock. */
export function districtMutations(district: District, now: () => Date): DistrictMutations {
  const { users, demographics, enrollments, classes } = district.tables;
  const stamp = () => now().toISOString();
  const existing = (sourcedId: string): RosterUser => {
    const user = users.get(sourcedId);
    if (!user) throw new RollcallError('not_found', `No user has the sourcedId "${sourcedId}".`);
    return user;
  };
  const changeUser: DistrictMutations['changeUser'] = (sourcedId, patch) => {
    // An explicit dateLastModified in the patch wins, so tests can back-date a change.
    users.put({ ...existing(sourcedId), dateLastModified: stamp(), ...defined(patch), sourcedId });
  };
  const existingEnrollment = (sourcedId: string): RosterEnrollment => {
    const enrollment = enrollments.get(sourcedId);
    if (!enrollment) throw new RollcallError('not_found', `No enrollment has the sourcedId "${sourcedId}".`);
    return enrollment;
  };
  const existingClass = (sourcedId: string): RosterClass => {
    const found = classes.get(sourcedId);
    if (!found) throw new RollcallError('not_found', `No class has the sourcedId "${sourcedId}".`);
    return found;
  };
  const changeEnrollment: DistrictMutations['changeEnrollment'] = (sourcedId, patch) => {
    enrollments.put({ ...existingEnrollment(sourcedId), dateLastModified: stamp(), ...defined(patch), sourcedId });
  };
  const addEnrollment: DistrictMutations['addEnrollment'] = (enrollment) => {
    if (enrollments.get(enrollment.sourcedId)) {
      throw new RollcallError('conflict', `An enrollment with the sourcedId "${enrollment.sourcedId}" already exists.`);
    }
    existing(enrollment.userSourcedId);
    const klass = existingClass(enrollment.classSourcedId);
    enrollments.put({
      status: 'active',
      dateLastModified: stamp(),
      schoolSourcedId: klass.schoolSourcedId,
      primary: false,
      beginDate: '',
      endDate: '',
      ...enrollment,
    });
  };
  let moves = 0;
  return {
    changeUser,
    changeEnrollment,
    addEnrollment,
    markEnrollmentToBeDeleted(sourcedId) {
      changeEnrollment(sourcedId, { status: 'tobedeleted' });
    },
    moveHomeroom(studentSourcedId, classSourcedId) {
      const student = existing(studentSourcedId);
      const current = activeHomeroomEnrollments(district, studentSourcedId);
      const school = current[0] ? existingClass(current[0].classSourcedId).schoolSourcedId : (student.orgSourcedIds[0] ?? '');
      const target = classSourcedId ?? nextHomeroom(district, school, current[0]?.classSourcedId ?? '');
      if (target === undefined) throw new RollcallError('not_found', `The school "${school}" has no other homeroom to move to.`);
      for (const e of current) changeEnrollment(e.sourcedId, { status: 'tobedeleted' });
      const sourcedId = `enr-hr-${studentSourcedId}-${++moves}`;
      addEnrollment({ sourcedId, userSourcedId: studentSourcedId, classSourcedId: target, role: 'student' });
      return sourcedId;
    },
    addUser(user) {
      if (users.get(user.sourcedId)) {
        throw new RollcallError('conflict', `A user with the sourcedId "${user.sourcedId}" already exists.`);
      }
      users.put({
        status: 'active',
        dateLastModified: stamp(),
        enabledUser: true,
        username: '',
        userIds: [],
        middleName: '',
        identifier: '',
        email: '',
        sms: '',
        phone: '',
        agentSourcedIds: [],
        grades: [],
        ...user,
      });
    },
    markToBeDeleted(sourcedId) {
      changeUser(sourcedId, { status: 'tobedeleted' });
    },
    removeUser(sourcedId) {
      existing(sourcedId);
      users.remove(sourcedId);
      // A purged user's demographics go with it; its enrollments are left dangling, as in real feeds.
      demographics.remove(sourcedId);
    },
    changeDemographics(sourcedId, patch) {
      existing(sourcedId);
      const before: RosterDemographics = demographics.get(sourcedId) ?? {
        sourcedId,
        status: 'active',
        dateLastModified: '',
        birthDate: '',
        sex: '',
      };
      demographics.put({ ...before, ...defined(patch), sourcedId, dateLastModified: stamp() });
    },
    removeDemographics(sourcedId) {
      existing(sourcedId);
      // Gone without a trace, as from a real feed: a delta pull cannot see it (nothing to stamp).
      if (!demographics.remove(sourcedId)) throw new RollcallError('not_found', `The user "${sourcedId}" has no demographics record.`);
    },
  };
}

/** A student's active enrollments in homeroom classes (a scan: for tests and the benchmark's set-up). */
function activeHomeroomEnrollments(district: District, studentSourcedId: string): RosterEnrollment[] {
  const { enrollments, classes } = district.tables;
  const rows = enrollments.order();
  const userOf = enrollments.getter('user.sourcedId');
  const out: RosterEnrollment[] = [];
  for (let k = 0; k < rows.length; k++) {
    const ref = rows.at(k);
    const user = userOf(ref);
    if (!(Array.isArray(user) ? user.includes(studentSourcedId) : user === studentSourcedId)) continue;
    const e = enrollments.record(ref);
    if (e.status === 'active' && e.role === 'student' && classes.get(e.classSourcedId)?.classType === 'homeroom') out.push(e);
  }
  return out;
}

/** The school's next homeroom after `after`, in sourcedId order (wrapping); undefined when there is no other. */
function nextHomeroom(district: District, school: string, after: string): string | undefined {
  const { classes } = district.tables;
  const rows = classes.order();
  const ids: string[] = [];
  for (let k = 0; k < rows.length; k++) {
    const c = classes.record(rows.at(k));
    if (c.classType === 'homeroom' && c.status === 'active' && c.schoolSourcedId === school && c.sourcedId !== after) ids.push(c.sourcedId);
  }
  return ids.find((id) => id > after) ?? ids[0];
}

/** The patch without keys whose value is undefined (they must not blank the field). */
function defined<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const userIdSchema = z.object({ type: z.string(), identifier: z.string() }).strict();
const userFields = {
  status: z.enum(['active', 'tobedeleted']),
  dateLastModified: z.string(),
  enabledUser: z.boolean(),
  role: z.string().min(1),
  orgSourcedIds: z.array(z.string()).min(1),
  username: z.string(),
  userIds: z.array(userIdSchema),
  givenName: z.string(),
  familyName: z.string(),
  middleName: z.string(),
  identifier: z.string(),
  email: z.string(),
  sms: z.string(),
  phone: z.string(),
  agentSourcedIds: z.array(z.string()),
  grades: z.array(z.string()),
};
const userPatch = z.object(userFields).partial().strict();
const newUser = userPatch.extend({
  sourcedId: z.string().min(1),
  role: userFields.role,
  orgSourcedIds: userFields.orgSourcedIds,
  givenName: userFields.givenName,
  familyName: userFields.familyName,
});
const id = z.string().min(1);
const enrollmentFields = {
  status: z.enum(['active', 'tobedeleted']),
  dateLastModified: z.string(),
  userSourcedId: id,
  classSourcedId: id,
  schoolSourcedId: id,
  role: z.string().min(1),
  primary: z.boolean(),
  beginDate: z.string(),
  endDate: z.string(),
};
const enrollmentPatch = z.object(enrollmentFields).partial().strict();
const newEnrollment = enrollmentPatch.extend({
  sourcedId: id,
  userSourcedId: id,
  classSourcedId: id,
  role: enrollmentFields.role,
});

/** One control operation, as `POST /_emulator/mutate` takes it (or an array of them). */
export const MUTATION_SCHEMA = z.discriminatedUnion('op', [
  z.object({ op: z.literal('changeUser'), sourcedId: id, patch: userPatch }).strict(),
  z.object({ op: z.literal('addUser'), user: newUser }).strict(),
  z.object({ op: z.literal('markToBeDeleted'), sourcedId: id }).strict(),
  z.object({ op: z.literal('removeUser'), sourcedId: id }).strict(),
  z
    .object({
      op: z.literal('changeDemographics'),
      sourcedId: id,
      patch: z.object({ birthDate: z.string(), sex: z.string() }).partial().strict(),
    })
    .strict(),
  z.object({ op: z.literal('removeDemographics'), sourcedId: id }).strict(),
  z.object({ op: z.literal('addEnrollment'), enrollment: newEnrollment }).strict(),
  z.object({ op: z.literal('changeEnrollment'), sourcedId: id, patch: enrollmentPatch }).strict(),
  z.object({ op: z.literal('markEnrollmentToBeDeleted'), sourcedId: id }).strict(),
  z.object({ op: z.literal('moveHomeroom'), studentSourcedId: id, classSourcedId: id.optional() }).strict(),
]);

/** A parsed control operation. */
export type MutationOp = z.infer<typeof MUTATION_SCHEMA>;

/** Applies one control operation. */
export function applyMutation(mutate: DistrictMutations, op: MutationOp): void {
  switch (op.op) {
    case 'changeUser':
      return mutate.changeUser(op.sourcedId, op.patch);
    case 'addUser':
      return mutate.addUser(op.user);
    case 'markToBeDeleted':
      return mutate.markToBeDeleted(op.sourcedId);
    case 'removeUser':
      return mutate.removeUser(op.sourcedId);
    case 'changeDemographics':
      return mutate.changeDemographics(op.sourcedId, op.patch);
    case 'removeDemographics':
      return mutate.removeDemographics(op.sourcedId);
    case 'addEnrollment':
      return mutate.addEnrollment(op.enrollment);
    case 'changeEnrollment':
      return mutate.changeEnrollment(op.sourcedId, op.patch);
    case 'markEnrollmentToBeDeleted':
      return mutate.markEnrollmentToBeDeleted(op.sourcedId);
    case 'moveHomeroom':
      mutate.moveHomeroom(op.studentSourcedId, op.classSourcedId);
      return;
  }
}
