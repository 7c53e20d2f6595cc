import { describe, expect, it } from 'vitest';
import { searchTerms } from './patron-search.ts';

describe('searchTerms', () => {
  it('lists everyone for a blank text', () => {
    expect(searchTerms('')).toBeUndefined();
    expect(searchTerms('   ')).toBeUndefined();
  });

  it('tries one word as an exact key and as the start of a last or first name', () => {
    expect(searchTerms(' Smi ')).toEqual({ exact: 'Smi', names: [{ last: 'Smi' }, { first: 'Smi' }] });
  });

  it('reads "Last, First" as both starts, and either half alone', () => {
    expect(searchTerms('Smith,  Ol')).toEqual({ exact: 'Smith, Ol', names: [{ last: 'Smith', first: 'Ol' }] });
    expect(searchTerms('Smith,')).toEqual({ exact: 'Smith,', names: [{ last: 'Smith' }] });
    expect(searchTerms(', Ol')).toEqual({ exact: ', Ol', names: [{ first: 'Ol' }] });
  });

  it('reads "First Last" both ways, and "First Middle Last" by its first and last words', () => {
    expect(searchTerms('Olivia Smith')!.names).toEqual([
      { last: 'Olivia Smith' },
      { first: 'Olivia Smith' },
      { first: 'Olivia', last: 'Smith' },
      { last: 'Olivia', first: 'Smith' },
    ]);
    expect(searchTerms('Ana  María García')!.names).toContainEqual({ first: 'Ana', last: 'García' });
    expect(searchTerms('Ana María García')!.names).toContainEqual({ first: 'Ana', last: 'María García' });
  });
});
