/**
 * No quadratic path: a plan over 200,000 users and 200,000 patrons must finish within the
 * default test timeout. No timing is asserted (shared machines are noisy); a quadratic step
 * at this size would take hours, not seconds.
 */
import { describe, expect, it } from 'vitest';
import type { Patron } from '../../domain/patron.ts';
import type { RosterUser } from '../../domain/roster.ts';
import { plan } from './plan.ts';
import { checkThresholds } from './safety.ts';
import { buildPatron, buildSettings, buildSnapshot, buildUser, ORG_EHS, ORG_MHS } from './test-builders.ts';

const SIZE = 200_000;
/** One in this many patrons has a changed roster value; one in this many users is new (email-matched, or created). */
const CHANGED_EVERY = 10;
const EMAIL_MATCHED_EVERY = 8;
const NEW_EVERY = 9;

describe('plan at scale', () => {
  it(`plans ${SIZE.toLocaleString('en-US')} users against ${SIZE.toLocaleString('en-US')} patrons`, () => {
    const userTemplate = buildUser({ sourcedId: 'template' });
    const patronTemplate = buildPatron({ id: 0, firstName: 'Given', level: '09' });
    const users: RosterUser[] = [];
    const patrons: Patron[] = [];
    for (let i = 0; i < SIZE; i++) {
      const id = `u${String(i).padStart(7, '0')}`;
      const org = i % 2 === 0 ? ORG_MHS : ORG_EHS;
      const email = `${id}@district.example.org`;
      const user: RosterUser = {
        ...userTemplate,
        sourcedId: i % NEW_EVERY === 0 ? `new-${id}` : id,
        familyName: id,
        email,
        orgSourcedIds: [org],
        grades: [i % CHANGED_EVERY === 0 ? '10' : '09'],
      };
      users.push(user);
      const byEmail = i % EMAIL_MATCHED_EVERY === 0;
      // Literals from a template rather than the builders: building the data should not dominate the test.
      patrons.push({
        ...patronTemplate,
        id: i + 1,
        guid: byEmail ? '' : id,
        // The new users' old GUIDs came from a file import: Email finding them is identity drift.
        guidSource: byEmail || i % NEW_EVERY === 0 ? null : 'classlink',
        matchedBy: byEmail ? null : 'guid',
        lastName: id,
        email,
        site: i % 2 === 0 ? 'MHS' : 'EHS',
      });
    }
    const result = plan(buildSnapshot({ users }), patrons, buildSettings());
    const c = result.counts;
    // Every user has one outcome; no patron is absent except those a conflict holds back.
    expect(c.created + c.updated + c.unchanged + c.conflicts).toBe(SIZE);
    expect(c.transferred).toBe(0);
    // New sourcedIds whose email finds a patron holding the old (imported) GUID: identity drift.
    expect(c.conflicts).toBeGreaterThan(0);
    expect(c.updated).toBeGreaterThan(0);
    expect(result.inScopePatronCount).toBe(SIZE);
    // Owned: neither email-matched nor a new user's imported GUID (inclusion–exclusion over the two).
    const unowned =
      Math.ceil(SIZE / EMAIL_MATCHED_EVERY) + Math.ceil(SIZE / NEW_EVERY) - Math.ceil(SIZE / (EMAIL_MATCHED_EVERY * NEW_EVERY));
    expect(result.ownedPatronCount).toBe(SIZE - unowned);
    expect(checkThresholds(result, buildSettings(), 'ClassLink')).toMatchObject({ ok: true });
  });
});
