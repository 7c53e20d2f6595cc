/** Wire records for tests of the OneRoster readers (parse.test.ts, fast-read.test.ts). */

/** A ClassLink-shaped user (CLASSLINK.md §1.6): string booleans, hrefs, FED userIds. */
export function classlinkUser(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sourcedId: 'u1',
    status: 'active',
    dateLastModified: '2019-03-01T18:14:45.000Z',
    username: 'ada.l',
    userIds: [{ identifier: '18125', type: 'FED' }],
    enabledUser: 'true',
    givenName: 'Ada',
    familyName: 'Lovelace',
    middleName: 'King',
    role: 'student',
    identifier: 'S-18125',
    email: 'ada@example.edu',
    sms: '',
    phone: '555-0100',
    agents: [{ href: 'https://x/users/p1', sourcedId: 'p1', type: 'user' }],
    orgs: [{ href: 'https://x/ims/oneroster/v1p1/orgs/2', sourcedId: '2', type: 'org' }],
    grades: ['11'],
    password: '',
    ...patch,
  };
}
