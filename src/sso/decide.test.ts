import { describe, expect, it } from 'vitest';
import { decide, type MyInfo, type SsoLibrary, type SsoPatron } from './decide.ts';

const info: MyInfo = { UserId: 9, TenantId: 42, SourcedId: 'stu-1', Role: 'Student' };
const lib = (id: number, over: Partial<SsoLibrary> = {}): SsoLibrary => ({ id, code: `L${id}`, ssoOn: true, tenantId: 42, ...over });
const patrons = (byLib: Record<number, SsoPatron>) => async (libraryId: number) => byLib[libraryId];

describe('sign-in decision', () => {
  it('lets an active patron of the tenant in', async () => {
    expect(await decide(info, [lib(1)], patrons({ 1: { id: 5, status: 1, staffUserId: null } }))).toEqual({
      kind: 'patron',
      libraryId: 1,
      patronId: 5,
    });
  });
  it('sends a patron linked to a staff account to the staff pages', async () => {
    expect(await decide(info, [lib(1)], patrons({ 1: { id: 5, status: 1, staffUserId: 3 } }))).toEqual({
      kind: 'staff',
      libraryId: 1,
      staffUserId: 3,
    });
  });
  it.each([
    ['wrong_tenant', [lib(1, { tenantId: 7 })], {}],
    ['wrong_tenant', [lib(1, { tenantId: null })], {}],
    ['sso_off', [lib(1, { ssoOn: false })], { 1: { id: 5, status: 1, staffUserId: null } }],
    ['not_synced', [lib(1)], {}],
    ['transferred', [lib(1)], { 1: { id: 5, status: 4, staffUserId: null } }],
    ['inactive', [lib(1)], { 1: { id: 5, status: 2, staffUserId: null } }],
  ] as const)('refuses: %s', async (reason, libs, byLib) => {
    const d = await decide(info, libs, patrons(byLib as Record<number, SsoPatron>));
    expect(d).toMatchObject({ kind: 'refused', reason });
    if (d.kind === 'refused') expect(d.message.length).toBeGreaterThan(20);
  });
  it('refuses when ClassLink gives no SourcedId', async () => {
    expect(await decide({ ...info, SourcedId: ' ' }, [lib(1)], patrons({}))).toMatchObject({ kind: 'refused', reason: 'no_identity' });
  });
  it("picks the library holding the person's active record when a district has several", async () => {
    const d = await decide(
      info,
      [lib(1), lib(2)],
      patrons({ 1: { id: 5, status: 4, staffUserId: null }, 2: { id: 8, status: 1, staffUserId: null } }),
    );
    expect(d).toEqual({ kind: 'patron', libraryId: 2, patronId: 8 });
  });
});
