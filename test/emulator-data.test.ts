/**
 * Serving a given district (DistrictData, as a OneRoster CSV package gives it) and the
 * `rollcall emulator` command entry, generated and from a CSV package.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RosterUser } from '../src/domain/roster.ts';
import { loadCsvDistrict } from '../src/csv/index.ts';
import { runEmulatorCommand } from '../src/emulator/command.ts';
import { startEmulator } from '../src/emulator/server.ts';
import type { DistrictData } from '../src/domain/district.ts';
import type { RunningEmulator } from '../src/emulator/types.ts';
import { oauthHeader, proxyGet, pullAll, rosterGet, rosterJson, V1P1 } from './emulator-helpers.ts';

type Obj = Record<string, unknown>;

const LOADED_AT = new Date('2026-09-01T08:00:00.000Z');

function user(sourcedId: string, role: string, orgs: string[], extra: Partial<RosterUser> = {}): RosterUser {
  return {
    sourcedId,
    status: 'active',
    dateLastModified: '2026-08-01T00:00:00.000Z',
    enabledUser: true,
    role,
    orgSourcedIds: orgs,
    username: sourcedId,
    userIds: [],
    givenName: 'G',
    familyName: sourcedId.toUpperCase(),
    middleName: '',
    identifier: '',
    email: '',
    sms: '',
    phone: '',
    agentSourcedIds: [],
    grades: [],
    ...extra,
  };
}

const DATA: DistrictData = {
  orgs: [
    {
      sourcedId: 'sch-b',
      status: 'active',
      dateLastModified: '',
      name: 'B School',
      type: 'school',
      identifier: '2',
      parentSourcedId: 'dist',
    },
    {
      sourcedId: 'dist',
      status: 'active',
      dateLastModified: '',
      name: 'Given District',
      type: 'district',
      identifier: '1',
      parentSourcedId: '',
    },
    {
      sourcedId: 'sch-a',
      status: 'active',
      dateLastModified: '',
      name: 'A School',
      type: 'school',
      identifier: '3',
      parentSourcedId: 'dist',
    },
  ],
  users: [
    user('s2', 'student', ['sch-a'], { dateLastModified: '' }),
    user('s1', 'student', ['sch-b', 'sch-a']),
    user('t1', 'teacher', ['sch-a']),
    user('p1', 'parent', ['sch-a'], { agentSourcedIds: ['s2'] }),
  ],
  classes: [
    {
      sourcedId: 'hr',
      status: 'active',
      dateLastModified: '2026-08-01T00:00:00.000Z',
      title: 'Homeroom',
      classCode: 'HR1',
      classType: 'homeroom',
      location: 'Room 1',
      schoolSourcedId: 'sch-a',
      courseSourcedId: '',
      grades: ['09'],
      termSourcedIds: [],
    },
  ],
  enrollments: [
    {
      sourcedId: 'e2',
      status: 'active',
      dateLastModified: '2026-08-01T00:00:00.000Z',
      userSourcedId: 's2',
      classSourcedId: 'hr',
      schoolSourcedId: 'sch-a',
      role: 'student',
      primary: false,
      beginDate: '',
      endDate: '',
    },
    {
      sourcedId: 'e1',
      status: 'active',
      dateLastModified: '2026-08-01T00:00:00.000Z',
      userSourcedId: 't1',
      classSourcedId: 'hr',
      schoolSourcedId: 'sch-a',
      role: 'teacher',
      primary: true,
      beginDate: '',
      endDate: '',
    },
  ],
  demographics: [
    { sourcedId: 's2', status: 'active', dateLastModified: '2026-08-01T00:00:00.000Z', birthDate: '2011-03-04', sex: 'female' },
  ],
  academicSessions: [],
};

describe('serving given records', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ district: DATA, now: () => LOADED_AT, maxClockSkewSeconds: 10 ** 9 });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it('serves them in sourcedId order, stamping a blank dateLastModified with the load time', async () => {
    const { body } = await rosterJson<{ users: Obj[] }>(emu, '/users');
    expect(body.users.map((u) => u.sourcedId)).toEqual(['p1', 's1', 's2', 't1']);
    expect(body.users[2]!.dateLastModified).toBe(LOADED_AT.toISOString());
  });

  it("names the district in the tenant record and lists an org's children", async () => {
    expect(emu.tenants[0]!.tenantName).toBe('Given District');
    const { body } = await rosterJson<{ org: { children: { sourcedId: string }[] } }>(emu, '/orgs/dist');
    expect(body.org.children.map((c) => c.sourcedId)).toEqual(['sch-a', 'sch-b']);
  });

  it("finds scopes by scanning: a school's students (any org), a class's roster", async () => {
    expect((await pullAll(emu, '/schools/sch-a/students', 'users')).map((u) => u.sourcedId)).toEqual(['s1', 's2']);
    expect((await pullAll(emu, '/schools/sch-b/students', 'users')).map((u) => u.sourcedId)).toEqual(['s1']);
    expect((await pullAll(emu, '/classes/hr/students', 'users')).map((u) => u.sourcedId)).toEqual(['s2']);
    expect((await pullAll(emu, '/classes/hr/teachers', 'users')).map((u) => u.sourcedId)).toEqual(['t1']);
    expect((await pullAll(emu, '/schools', 'orgs')).map((o) => o.sourcedId)).toEqual(['sch-a', 'sch-b']);
  });

  it('applies mutations to given records too', async () => {
    emu.mutate.changeUser('t1', { familyName: 'Changed' });
    emu.mutate.addUser({ sourcedId: 's0', role: 'student', orgSourcedIds: ['sch-b'], givenName: 'A', familyName: 'B' });
    expect((await pullAll(emu, '/schools/sch-b/students', 'users')).map((u) => u.sourcedId)).toEqual(['s0', 's1']);
    const { body } = await rosterJson<{ user: Obj }>(emu, '/users/t1');
    expect(body.user).toMatchObject({ familyName: 'Changed', dateLastModified: LOADED_AT.toISOString() });
  });
});

describe('runEmulatorCommand', () => {
  it('starts a generated district and prints where it is and every credential', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const emu = await runEmulatorCommand({ students: 25, seed: 'cmd', port: 0 }, out);
    try {
      const c = emu.credentials;
      for (const value of [emu.url, String(c.tenantId), c.partnerKey, c.clientId, c.clientSecret, c.appId, c.bearerToken]) {
        expect(text).toContain(value);
      }
      expect(text).toContain(`rollcall classlink configure --tenant-id ${c.tenantId}`);
      expect(text).toContain(`rollcall classlink configure --roster-url ${emu.url} --client-id ${c.clientId}`);
      expect(text).toContain(`--roster-url ${emu.url}/${c.appId} --bearer ${c.bearerToken}`);
      expect((await proxyGet(emu, '/students?limit=100')).status).toBe(200);
      const url = `${emu.url}${V1P1}/students`;
      const res = await fetch(url, { headers: { Authorization: oauthHeader(url, c.clientId, c.clientSecret) } });
      expect(((await res.json()) as { users: unknown[] }).users).toHaveLength(25);
    } finally {
      await emu.close();
    }
  });

  it('refuses a port already in use with a plain usage error', async () => {
    const first = await startEmulator({ district: { students: 10, seed: 1 } });
    try {
      const port = Number(new URL(first.url).port);
      await expect(runEmulatorCommand({ students: 10, seed: '1', port }, new PassThrough())).rejects.toMatchObject({
        kind: 'usage',
        message: expect.stringMatching(/already in use/),
      });
    } finally {
      await first.close();
    }
  });

  const PACKAGE = fileURLToPath(new URL('../../shared/oneroster-samples/roster-hub/storage/sample_csv/en/oneroster.zip', import.meta.url));
  const present = existsSync(PACKAGE);
  if (!present) console.warn(`CSV emulator test SKIPPED: the sample package is not at ${PACKAGE}.`);

  it.skipIf(!present)('serves a OneRoster CSV package (--from-csv)', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const emu = await runEmulatorCommand({ students: 0, seed: '', port: 0, fromCsv: PACKAGE }, out);
    try {
      const loaded = await loadCsvDistrict(PACKAGE);
      expect(text).toContain('OneRoster CSV package');
      const res = await rosterGet(emu, '/users?limit=1');
      expect(Number(res.headers.get('x-total-count'))).toBe(new Set(loaded.data.users.map((u) => u.sourcedId)).size);
      const schools = await pullAll(emu, '/schools', 'orgs');
      expect(schools.length).toBe(loaded.data.orgs.filter((o) => o.type === 'school').length);
    } finally {
      await emu.close();
    }
  });
});
