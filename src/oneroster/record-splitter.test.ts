import { describe, expect, it } from 'vitest';
import { collectionOf, parseJsonBody, UnreadableBody } from './envelope.ts';
import { RecordSplitter } from './record-splitter.ts';

type Outcome = { records: unknown[] } | { error: string };

/** The splitter's reading of a body delivered in the given chunks. */
function split(chunks: readonly Uint8Array[], key = 'users'): Outcome {
  const records: unknown[] = [];
  const splitter = new RecordSplitter(key, (raw, i) => {
    expect(i).toBe(records.length);
    records.push(raw);
  });
  try {
    for (const c of chunks) splitter.push(c);
    expect(splitter.end()).toBe(records.length);
    return { records };
  } catch (e) {
    if (e instanceof UnreadableBody) return { error: e.message };
    throw e;
  }
}

/** How the body read whole (the reader before streaming: undici's text(), which drops a byte order mark) judges it: the reference. */
function whole(body: Uint8Array, key = 'users'): Outcome {
  const bom = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  try {
    return { records: collectionOf(parseJsonBody(Buffer.from(body).toString('utf8', bom)), key) };
  } catch (e) {
    if (e instanceof UnreadableBody) return { error: e.message };
    throw e;
  }
}

/** Cuts a body at the given byte positions. */
function cutAt(body: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (const c of [...cuts, body.length]) {
    out.push(body.subarray(from, c));
    from = c;
  }
  return out;
}

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

/** A small body with everything awkward: braces, brackets and escaped quotes in strings, multi-byte characters, other members around the list. */
const AWKWARD = bytes(
  JSON.stringify({
    statusInfoSet: [{ imsx_codeMajor: 'success', imsx_description: 'ok } ] {' }],
    users: [
      { sourcedId: 'u1', givenName: 'Zoë "Z" {x}', familyName: 'Nguyễn [a]', email: 'a\\b@c', n: 3, ok: true, none: null },
      { sourcedId: 'u2', givenName: '🎒 Ada\u2028', familyName: "O'Brien", orgs: [{ sourcedId: 'o1' }], userIds: [] },
      'not an object',
      42,
      null,
      [1, 2],
    ],
    tail: { 'k]': '}' },
  }),
);

describe('RecordSplitter', () => {
  it('reads the same records as JSON.parse, however the body is cut in two', () => {
    const expected = whole(AWKWARD);
    expect('records' in expected && expected.records).toHaveLength(6);
    for (let at = 0; at <= AWKWARD.length; at++) expect(split(cutAt(AWKWARD, [at]))).toEqual(expected);
  });

  it('reads the same records when every byte arrives alone (multi-byte characters split)', () => {
    const single = Array.from({ length: AWKWARD.length }, (_, i) => i);
    expect(split(cutAt(AWKWARD, single))).toEqual(whole(AWKWARD));
  });

  it('reads an empty list, a list alone, whitespace and a byte order mark', () => {
    expect(split([bytes('{"users":[]}')])).toEqual({ records: [] });
    expect(split([bytes(' \n{ "users" : [ {"sourcedId":"a"} ,{"sourcedId":"b"} ] }\r\n ')])).toEqual({
      records: [{ sourcedId: 'a' }, { sourcedId: 'b' }],
    });
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('{"users":[{"sourcedId":"a"}]}')]);
    for (let at = 0; at <= 4; at++) expect(split(cutAt(withBom, [at]))).toEqual({ records: [{ sourcedId: 'a' }] });
    expect(split(cutAt(withBom.subarray(0, 2), [1]))).toEqual(whole(withBom.subarray(0, 2)));
  });

  it('fails a truncated body at every length, with the message a whole read gave', () => {
    for (let at = 0; at < AWKWARD.length; at++) {
      const cut = AWKWARD.subarray(0, at);
      const outcome = split(cutAt(cut, [Math.floor(at / 2)]));
      expect(outcome, `cut at ${at}`).toEqual(whole(cut));
      expect('error' in outcome, `cut at ${at}`).toBe(true);
    }
  });

  it('fails trailing garbage and broken separators', () => {
    for (const body of [
      '{"users":[]}x',
      '{"users":[]}{}',
      '{"users":[{"sourcedId":"a"}{"sourcedId":"b"}]}',
      '{"users":[{"sourcedId":"a"},]}',
      '{"users":[,{"sourcedId":"a"}]}',
      '{"users" [] }',
      '{"users":[] "x":1}',
      '{"users":[{"sourcedId":"a"]]}',
      '{"users":[tru]}',
      '{"a":1,}',
      '{users:[]}',
    ]) {
      expect(split([bytes(body)]), body).toEqual({ error: 'a response that is not valid JSON' });
    }
  });

  it('judges the envelope as a whole read did: error reports, other collections, bare arrays, empty bodies', () => {
    const bodies = [
      '{"statusInfoSet":[{"imsx_codeMajor":"failure","imsx_description":"No such org","imsx_codeMinor":"unknownobject"}],"users":[{"sourcedId":"a"}]}',
      '{"users":[{"sourcedId":"a"}],"imsx_codeMajor":"failure","imsx_description":"late"}',
      '{"imsx_codeMajor":"processing"}',
      '{"orgs":[{"sourcedId":"a"}]}',
      '{"users":null}',
      '{"users":{"sourcedId":"a"}}',
      '{"users":null,"users":[{"sourcedId":"a"}]}',
      '{}',
      '[{"sourcedId":"a"}]',
      '"users"',
      '',
      '   ',
      'null',
    ];
    for (const body of bodies) expect(split(cutAt(bytes(body), [1])), body).toEqual(whole(bytes(body)));
    expect(split([bytes('{"users":[{"sourcedId":"a"}],"statusInfoSet":[{"imsx_codeMajor":"failure"}]}')])).toEqual({
      error: 'an error report',
    });
  });

  it('refuses a body with two lists of the collection rather than choosing one', () => {
    expect(split([bytes('{"users":[{"sourcedId":"a"}],"users":[{"sourcedId":"b"}]}')])).toEqual({
      error: 'a response with more than one "users" list',
    });
  });

  it('agrees with a whole read on 3,000 random mutations of a body', () => {
    // Deterministic: a small linear congruential generator, so a failure repeats.
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = bytes('{}[]",:\\ 0aé');
    for (let k = 0; k < 3000; k++) {
      const body = Array.from(AWKWARD);
      const edits = 1 + random(3);
      for (let e = 0; e < edits; e++) {
        const at = random(body.length);
        const op = random(3);
        if (op === 0) body.splice(at, 1);
        else if (op === 1) body.splice(at, 0, alphabet[random(alphabet.length)]!);
        else body[at] = alphabet[random(alphabet.length)]!;
      }
      const mutated = new Uint8Array(body);
      const cuts = [random(mutated.length + 1)].sort((a, b) => a - b);
      expect(split(cutAt(mutated, cuts)), Buffer.from(mutated).toString('utf8')).toEqual(whole(mutated));
    }
  });
});
