/**
 * Mutations between syncs: each shows in the feed, in the scoped endpoints, and in a delta
 * pull by dateLastModified, stamped by the emulator's clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRollcallError } from '../src/domain/errors.ts';
import { startEmulator } from '../src/emulator/server.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { pullAll, q, rosterGet, rosterJson } from './emulator-helpers.ts';

type Obj = Record<string, unknown>;

let emu: RunningEmulator;
// A clock the test moves forward (staying within the OAuth skew window).
let clock = Date.now();

beforeAll(async () => {
  emu = await startEmulator({ district: { students: 300, seed: 'mutations' }, now: () => new Date(clock) });
});
afterAll(async () => {
  await emu?.close();
});

function tick(): string {
  clock += 1000;
  return new Date(clock).toISOString();
}

async function user(id: string): Promise<Obj | null> {
  const res = await rosterGet(emu, `/users/${id}`);
  return res.status === 404 ? null : ((await res.json()) as { user: Obj }).user;
}

describe('mutations', () => {
  it('changeUser patches fields and stamps dateLastModified with the emulator clock', async () => {
    const at = tick();
    emu.mutate.changeUser('stu-00000010', { givenName: 'Zoë', email: 'zoe@example.org' });
    expect(await user('stu-00000010')).toMatchObject({ givenName: 'Zoë', email: 'zoe@example.org', dateLastModified: at });
  });

  it('addUser puts a new user in sourcedId order, in /students and in its school', async () => {
    tick();
    emu.mutate.addUser({
      sourcedId: 'stu-00000010a',
      role: 'student',
      orgSourcedIds: ['org-00000002'],
      givenName: 'New',
      familyName: 'Kid',
    });
    const all = await pullAll(emu, '/users', 'users');
    const ids = all.map((u) => u.sourcedId as string);
    expect(ids.indexOf('stu-00000010a')).toBe(ids.indexOf('stu-00000010') + 1);
    expect(await user('stu-00000010a')).toMatchObject({ status: 'active', enabledUser: 'true', userIds: [], grades: [] });
    const school = await pullAll(emu, '/schools/org-00000002/students', 'users');
    expect(school.map((u) => u.sourcedId)).toContain('stu-00000010a');
  });

  it('markToBeDeleted keeps the user in the feed with status tobedeleted', async () => {
    tick();
    emu.mutate.markToBeDeleted('stu-00000011');
    expect(await user('stu-00000011')).toMatchObject({ status: 'tobedeleted' });
  });

  it('removeUser purges the user and their demographics', async () => {
    const before = Number((await rosterGet(emu, '/users?limit=1')).headers.get('x-total-count'));
    emu.mutate.removeUser('stu-00000012');
    expect(await user('stu-00000012')).toBeNull();
    expect((await rosterGet(emu, '/demographics/stu-00000012')).status).toBe(404);
    expect(Number((await rosterGet(emu, '/users?limit=1')).headers.get('x-total-count'))).toBe(before - 1);
  });

  it('changeDemographics changes or creates a demographics record', async () => {
    const at = tick();
    emu.mutate.changeDemographics('stu-00000013', { birthDate: '2012-02-29', sex: 'unspecified' });
    const { body } = await rosterJson<{ demographics: Obj }>(emu, '/demographics/stu-00000013');
    expect(body.demographics).toMatchObject({ birthDate: '2012-02-29', sex: 'unspecified', dateLastModified: at });
    emu.mutate.changeDemographics('par-00000000', { sex: 'female' });
    expect((await rosterGet(emu, '/demographics/par-00000000')).status).toBe(200);
  });

  it('removeDemographics purges a user’s demographics record and keeps the user; a delta pull does not see it', async () => {
    const since = new Date(tick()).toISOString();
    const total = async () => Number((await rosterGet(emu, '/demographics?limit=1')).headers.get('x-total-count'));
    const before = await total();
    emu.mutate.removeDemographics('stu-00000014');
    expect((await rosterGet(emu, '/demographics/stu-00000014')).status).toBe(404);
    expect(await user('stu-00000014')).toMatchObject({ status: 'active' });
    expect(await total()).toBe(before - 1);
    expect(await pullAll(emu, `/demographics?filter=${q(`dateLastModified>'${since}'`)}`, 'demographics')).toEqual([]);
    expect(() => emu.mutate.removeDemographics('stu-00000014')).toThrow(/no demographics record/);
  });

  it('a student moved to another school leaves the old school and joins the new one', async () => {
    tick();
    const id = 'stu-00000020';
    const from = ((await user(id))!.orgs as { sourcedId: string }[])[0]!.sourcedId;
    const to = from === 'org-00000003' ? 'org-00000001' : 'org-00000003';
    emu.mutate.changeUser(id, { orgSourcedIds: [to] });
    expect((await pullAll(emu, `/schools/${from}/students`, 'users')).map((u) => u.sourcedId)).not.toContain(id);
    expect((await pullAll(emu, `/schools/${to}/students`, 'users')).map((u) => u.sourcedId)).toContain(id);
  });

  it('shows exactly the changed users and demographics in a delta pull', async () => {
    const since = new Date(clock).toISOString();
    tick();
    emu.mutate.changeUser('tch-00000001', { email: 'teacher@example.org' });
    emu.mutate.markToBeDeleted('stu-00000030');
    emu.mutate.addUser({ sourcedId: 'adm-99', role: 'administrator', orgSourcedIds: ['org-00000000'], givenName: 'A', familyName: 'B' });
    emu.mutate.removeUser('stu-00000031');
    emu.mutate.changeDemographics('stu-00000032', { sex: 'male' });
    const users = await pullAll(emu, `/users?filter=${q(`dateLastModified>'${since}'`)}`, 'users');
    expect(users.map((u) => [u.sourcedId, u.status])).toEqual([
      ['adm-99', 'active'],
      ['stu-00000030', 'tobedeleted'],
      ['tch-00000001', 'active'],
    ]);
    const demographics = await pullAll(emu, `/demographics?filter=${q(`dateLastModified>'${since}'`)}`, 'demographics');
    expect(demographics.map((d) => d.sourcedId)).toEqual(['stu-00000032']);
  });

  it('refuses to change an unknown user or add an existing one', () => {
    const fails = (f: () => void, kind: 'not_found' | 'conflict') => {
      try {
        f();
      } catch (e) {
        return isRollcallError(e, kind);
      }
      return false;
    };
    expect(fails(() => emu.mutate.changeUser('ghost', { givenName: 'x' }), 'not_found')).toBe(true);
    expect(fails(() => emu.mutate.removeUser('ghost'), 'not_found')).toBe(true);
    expect(fails(() => emu.mutate.changeDemographics('ghost', {}), 'not_found')).toBe(true);
    expect(
      fails(
        () => emu.mutate.addUser({ sourcedId: 'tch-00000001', role: 'teacher', orgSourcedIds: ['x'], givenName: 'a', familyName: 'b' }),
        'conflict',
      ),
    ).toBe(true);
  });
});
