import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { csvRowBatches } from './csv-rows.ts';
import type { RowProblem } from './csv-rows.ts';

async function read(
  text: string | Buffer,
  batchSize = 100,
): Promise<{ rows: string[][]; lines: number[]; problems: RowProblem[]; batches: number }> {
  const out = { rows: [] as string[][], lines: [] as number[], problems: [] as RowProblem[], batches: 0 };
  for await (const b of csvRowBatches(Readable.from([typeof text === 'string' ? Buffer.from(text) : text]), batchSize)) {
    out.rows.push(...b.rows);
    out.lines.push(...b.lines);
    out.problems.push(...b.problems);
    out.batches++;
  }
  return out;
}

describe('csvRowBatches', () => {
  it('strips a BOM and reads CRLF lines', async () => {
    const r = await read('\ufeffsourcedId,name\r\no1,One\r\no2,Two\r\n');
    expect(r.rows).toEqual([
      ['sourcedId', 'name'],
      ['o1', 'One'],
      ['o2', 'Two'],
    ]);
    expect(r.lines).toEqual([1, 2, 3]);
  });

  it('reads LF, CR and a last line without a line end', async () => {
    expect((await read('a,b\n1,2\n3,4')).rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
    expect((await read('a,b\r1,2\r3,4\r')).rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('keeps quoted lists and quotes inside quoted cells', async () => {
    const r = await read('grades,title\n"09,10,11","The ""best"" class"\n');
    expect(r.rows[1]).toEqual(['09,10,11', 'The "best" class']);
  });

  it('numbers rows by the line they start on, across quoted line breaks and blank lines', async () => {
    const r = await read('a,b\n1,"two\nlines"\n\n3,"x\r\ny\r\nz"\n,\n5,6\n');
    expect(r.rows).toEqual([
      ['a', 'b'],
      ['1', 'two\nlines'],
      ['3', 'x\r\ny\r\nz'],
      ['5', '6'],
    ]);
    expect(r.lines).toEqual([1, 2, 5, 9]);
  });

  it('skips blank lines and rows of empty cells', async () => {
    const r = await read('a,b\n\n,\n1,2\n\n');
    expect(r.rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(r.lines).toEqual([1, 4]);
  });

  it('keeps rows of any length for the caller to judge', async () => {
    expect((await read('a,b,c\n1,2\n1,2,3,4\n')).rows).toEqual([
      ['a', 'b', 'c'],
      ['1', '2'],
      ['1', '2', '3', '4'],
    ]);
  });

  it('reads a stray quote inside an unquoted cell as text', async () => {
    expect((await read('a,b\nO"Brien,2\n')).rows[1]).toEqual(['O"Brien', '2']);
  });

  it('reports a quote never closed, with its line, and that the rest of the file was lost', async () => {
    const r = await read('a,b\n1,2\n3,"four\n5,6\n7,8\n');
    expect(r.rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(r.problems).toEqual([
      { line: 3, message: 'a quoted value is never closed, so the rest of the file could not be read', restOfFileLost: true },
    ]);
  });

  it('yields batches of the size asked', async () => {
    const text = `a\n${Array.from({ length: 25 }, (_, i) => `${i}\n`).join('')}`;
    const r = await read(text, 10);
    expect(r.batches).toBe(3);
    expect(r.rows).toHaveLength(26);
    expect(r.lines.at(-1)).toBe(26);
  });

  it('reads UTF-8 split across chunks', async () => {
    const bytes = Buffer.from('name\n名01\n');
    const chunks = [bytes.subarray(0, 6), bytes.subarray(6)];
    const rows: string[][] = [];
    for await (const b of csvRowBatches(Readable.from(chunks), 10)) rows.push(...b.rows);
    expect(rows).toEqual([['name'], ['名01']]);
  });

  it('throws when the input stream fails', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('disk on fire'));
      },
    });
    await expect(async () => {
      for await (const _ of csvRowBatches(failing, 10)) void _;
    }).rejects.toThrow('disk on fire');
  });
});
