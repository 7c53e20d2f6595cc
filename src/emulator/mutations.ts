/**
 * Changes to the served district between syncs (RunningEmulator.mutate and the
 * `POST /_emulator/mutate` control endpoint). Every change stamps dateLastModified with the
 * emulator's clock, so delta pulls (`dateLastModified>'…'`) see it.
 */
import { z } from 'zod';
import type { RosterDemographics, RosterUser } from '../domain/roster.ts';
import { RollcallError } from '../domain/errors.ts';
import type { District } from './district-model.ts';
import type { DistrictMutations } from './types.ts';

/** Mutations of a district, stamped by a clock. */
export function districtMutations(district: District, now: () => Date): DistrictMutations {
  const { users, demographics } = district.tables;
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
  return {
    changeUser,
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
  }
}
