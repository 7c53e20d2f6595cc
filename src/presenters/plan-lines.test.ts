import { describe, expect, it } from 'vitest';
import { changeLine } from './plan-lines.ts';

describe('plan lines', () => {
  it('names the person and, for writes, the fields old → new (GUID left to the brackets)', () => {
    expect(
      changeLine({ kind: 'create', sourcedId: 's1', reason: 'New student at MHS.', values: { firstName: 'Ann', lastName: 'Lee' } }),
    ).toBe('Ann Lee [s1]: New student at MHS.');
    expect(
      changeLine({
        kind: 'update',
        sourcedId: 's2',
        reason: 'Matched by Student #; updated Last Name.',
        values: { firstName: 'Bo', lastName: 'Ray' },
        diff: [
          { field: 'guid', from: '', to: 's2' },
          { field: 'lastName', from: 'Roy', to: 'Ray' },
          { field: 'email', from: '', to: 'bo@example.org' },
        ],
      }),
    ).toBe('Bo Ray [s2]: Matched by Student #; updated Last Name. (Last Name: Roy → Ray; Email: — → bo@example.org)');
  });

  it('cuts long values and long diffs, and survives a detail with missing parts', () => {
    const diff = Array.from({ length: 8 }, (_, i) => ({ field: 'location' as const, from: `${i}`, to: 'x'.repeat(50) }));
    const line = changeLine({ kind: 'update', sourcedId: 's', reason: 'r', diff });
    expect(line).toContain('and 2 more');
    expect(line).toContain(`${'x'.repeat(39)}…`);
    expect(changeLine({ kind: 'conflict', sourcedId: 's3', reason: 'Two patrons.', user: { name: 'Cy Dee' } })).toBe(
      'Cy Dee [s3]: Two patrons.',
    );
    expect(changeLine(null)).toBe('[]: ');
  });

  it('shows Status by name with its number, also in plans stored with a bare number', () => {
    expect(
      changeLine({
        kind: 'transfer',
        sourcedId: 's4',
        reason: 'Left the roster; set Transferred.',
        values: { firstName: 'Di', lastName: 'Eve' },
        diff: [{ field: 'status', from: '1', to: '4' }],
      }),
    ).toBe('Di Eve [s4]: Left the roster; set Transferred. (Status: Active (1) → Transferred (4))');
    expect(
      changeLine({
        kind: 'create',
        sourcedId: 's5',
        reason: 'New student at MHS.',
        values: { firstName: 'Al', lastName: 'Fox', status: 1 },
      }),
    ).toBe('Al Fox [s5]: New student at MHS. (Status: Active (1))');
    expect(changeLine({ kind: 'update', sourcedId: 's6', reason: 'r', diff: [{ field: 'status', from: '2', to: '1' }] })).toBe(
      '[s6]: r (Status: 2 → Active (1))',
    );
  });
});
