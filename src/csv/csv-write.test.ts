import { describe, expect, it } from 'vitest';
import { CSV_BOM, csvCell, csvLine, formulaSafe, fromFormulaSafe } from './csv-write.ts';

describe('spreadsheet-safe CSV cells', () => {
  it('prefixes with a quote every value a spreadsheet would run as a formula (OWASP)', () => {
    for (const v of ['=1+2', '+1 555 0100', '-5', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("http://x","y")'])
      expect(formulaSafe(v)).toBe(`'${v}`);
    for (const v of ['Ann', "O'Brien", "'quoted", '1=1', 'a-b', '', ' ']) expect(formulaSafe(v)).toBe(v);
  });

  it('reads back exactly what it wrote, quotes before a formula character included', () => {
    for (const v of ['=1+2', "'=1+2", "''@x", "O'Brien", "'plain", '-', "'", 'Adébáyọ̀ → x', '']) {
      expect(fromFormulaSafe(formulaSafe(v))).toBe(v);
    }
    // A cell nobody prefixed (another system's file) is taken as it is.
    expect(fromFormulaSafe("'hello")).toBe("'hello");
  });

  it('quotes cells that need it, after the prefix', () => {
    expect(csvCell('=a,b')).toBe(`"'=a,b"`);
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvLine(['a', '=b', 'c, d'])).toBe(`a,'=b,"c, d"`);
    expect(CSV_BOM).toBe('\uFEFF');
  });
});
