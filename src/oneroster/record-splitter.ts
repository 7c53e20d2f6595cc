/**
 * Cuts the records of a collection response (`{"users":[{…},{…}],…}`) out of its body as the
 * bytes arrive, and hands each one on, parsed, before the next arrives. A 10,000-record page was
 * a 10–20 MB string, then a 10,000-object array, then records: most of a big sync's read garbage,
 * which V8 lets pile up into hundreds of megabytes. Here only one record's bytes and text exist
 * at a time besides the chunk in hand.
 *
 * Why our own splitter and not a JSON tokenizer from the registry: JSON.parse stays the parser.
 * The splitter only follows strings, escapes and bracket depth to find where each record starts
 * and ends, then JSON.parse reads that slice; a tokenizer written in JavaScript
 * (@streamparser/json) builds every value itself and measured several times slower than
 * JSON.parse (docs/benchmarks.md §12). Structural bytes are ASCII and never occur inside a
 * multi-byte UTF-8 character, so the scan works on bytes and a character split across chunks
 * is decoded whole with its record.
 *
 * Strictness equals JSON.parse of the whole body: every slice is parsed by JSON.parse, and the
 * bytes between slices (the envelope's braces, colons, commas and whitespace) are checked here,
 * so a truncated or malformed body fails with the same message as before and the page is never
 * half-read. The envelope's other members are kept (as text) and judged at the end by
 * `collectionOf`, as before: an error report sent with 200 beside the list still fails the page.
 * A body that is not an object (a bare array, a string) is rare and small: it is buffered and
 * read the old way, with the old messages.
 */
import { collectionOf, parseJsonBody, UnreadableBody } from './envelope.ts';

/** Receives each record of the collection, in order, with its index in the body. */
export type OnRawRecord = (raw: unknown, index: number) => void;

/** A UTF-8 byte order mark. */
const BOM = [0xef, 0xbb, 0xbf] as const;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

/** JSON's whitespace: space, tab, line feed, carriage return. */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Where the envelope scan is; each state names what may come next. */
type State =
  | 'start' // before the top-level `{`
  | 'key-or-close' // just after `{`: a key or `}`
  | 'key' // after `,`: a key
  | 'colon'
  | 'value'
  | 'after-value' // `,` or `}`
  | 'first-element' // just after the collection's `[`: an element or `]`
  | 'element'
  | 'after-element' // `,` or `]`
  | 'done'
  | 'whole'; // not an object: the body is buffered and read the old way

/** What the value being cut out is. */
type Cutting = 'key' | 'member' | 'element';

const NOT_JSON = 'a response that is not valid JSON';

/** Splits one response body; push() every chunk, then end(). */
export class RecordSplitter {
  private state: State = 'start';
  /** The body's first bytes, until there are three (null after). */
  private head: Buffer | null = Buffer.alloc(0);
  /** The bytes of the value being cut out, when it spans chunks. */
  private pieces: Buffer[] = [];
  /** The value being cut out: what it is, or null between values. */
  private cutting: Cutting | null = null;
  /** Its kind: container (brackets), string, or a bare scalar (number, true, false, null). */
  private kind: 'container' | 'string' | 'scalar' = 'container';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The key whose value comes next. */
  private key = '';
  /** The envelope's members other than the collection, as JSON text (`"key":value`). */
  private readonly members: string[] = [];
  private lists = 0;
  private count = 0;
  /** This chunk's run of whole records: where it starts and ends, and how many it holds. */
  private runStart = 0;
  private runEnd = 0;
  private runCount = 0;
  /** Every chunk, for a body that is not an object (read whole). */
  private readonly whole: Buffer[] = [];

  constructor(
    private readonly collection: string,
    private readonly onRecord: OnRawRecord,
  ) {}

  /** Reads one chunk of the body; throws UnreadableBody as soon as the body is known bad. */
  push(chunk: Uint8Array): void {
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.head !== null) {
      // The first three bytes decide whether the body opens with a UTF-8 byte order mark,
      // which decoding the body as text dropped too.
      const joined = this.head.length === 0 ? buf : Buffer.concat([this.head, buf]);
      if (joined.length < BOM.length) {
        this.head = joined;
        return;
      }
      this.head = null;
      buf = joined[0] === BOM[0] && joined[1] === BOM[1] && joined[2] === BOM[2] ? joined.subarray(BOM.length) : joined;
    }
    this.scan(buf);
  }

  /** Ends the body: how many records it held. Throws UnreadableBody for a truncated or wrong body. */
  end(): number {
    if (this.head !== null) {
      this.scan(this.head);
      this.head = null;
    }
    if (this.state === 'whole' || this.state === 'start') return this.endWhole();
    // A scalar ends only at a delimiter; at the end of the body it is a truncation.
    if (this.state !== 'done' || this.cutting !== null) throw new UnreadableBody(NOT_JSON);
    if (this.lists > 1) throw new UnreadableBody(`a response with more than one "${this.collection}" list`);
    // The envelope without its records (the list stands as []): judged exactly as before.
    collectionOf(parseJsonBody(`{${this.members.join(',')}}`), this.collection);
    return this.count;
  }

  private scan(buf: Buffer): void {
    let i = 0;
    const n = buf.length;
    while (i < n) {
      if (this.state === 'whole') {
        this.whole.push(i === 0 ? buf : buf.subarray(i));
        break;
      }
      if (this.cutting !== null) {
        i = this.cut(buf, i);
        continue;
      }
      const c = buf[i]!;
      if (isSpace(c)) {
        i++;
        continue;
      }
      i = this.structural(buf, i, c);
    }
    if (this.runCount > 0) this.flushRun(buf);
  }

  /**
   * The records that began and ended in this chunk, read with one JSON.parse: per record, the
   * calls into decoding and parsing cost more than the work (the bytes between them are the
   * commas and whitespace the scan already checked).
   */
  private flushRun(buf: Buffer): void {
    const text = buf.toString('utf8', this.runStart, this.runEnd);
    const expected = this.runCount;
    this.runCount = 0;
    let values: unknown;
    try {
      values = JSON.parse(`[${text}]`);
    } catch {
      throw new UnreadableBody(NOT_JSON);
    }
    if (!Array.isArray(values) || values.length !== expected) throw new UnreadableBody(NOT_JSON);
    for (const value of values) this.onRecord(value, this.count++);
  }

  /** One byte outside any value: checks it against the envelope's grammar. Returns the next index. */
  private structural(buf: Buffer, i: number, c: number): number {
    switch (this.state) {
      case 'start':
        if (c !== LBRACE) {
          this.state = 'whole';
          return i;
        }
        this.state = 'key-or-close';
        return i + 1;
      case 'key-or-close':
        if (c === RBRACE) {
          this.state = 'done';
          return i + 1;
        }
        return this.startKey(buf, i, c);
      case 'key':
        return this.startKey(buf, i, c);
      case 'colon':
        if (c !== COLON) throw new UnreadableBody(NOT_JSON);
        this.state = 'value';
        return i + 1;
      case 'value':
        if (this.key === this.collection && c === LBRACKET) {
          this.lists++;
          this.members.push(`${JSON.stringify(this.key)}:[]`);
          this.state = 'first-element';
          return i + 1;
        }
        return this.startValue(buf, i, c, 'member');
      case 'after-value':
        if (c === COMMA) this.state = 'key';
        else if (c === RBRACE) this.state = 'done';
        else throw new UnreadableBody(NOT_JSON);
        return i + 1;
      case 'first-element':
        if (c === RBRACKET) {
          this.state = 'after-value';
          return i + 1;
        }
        return this.startValue(buf, i, c, 'element');
      case 'element':
        return this.startValue(buf, i, c, 'element');
      case 'after-element':
        if (c === COMMA) this.state = 'element';
        else if (c === RBRACKET) {
          // The list ends: its run too (a run holds only the list's own records and commas).
          if (this.runCount > 0) this.flushRun(buf);
          this.state = 'after-value';
        } else throw new UnreadableBody(NOT_JSON);
        return i + 1;
      default:
        // 'done': only whitespace may follow the envelope.
        throw new UnreadableBody(NOT_JSON);
    }
  }

  private startKey(buf: Buffer, i: number, c: number): number {
    if (c !== QUOTE) throw new UnreadableBody(NOT_JSON);
    return this.startValue(buf, i, c, 'key');
  }

  private startValue(buf: Buffer, i: number, c: number, what: Cutting): number {
    // A close, comma or colon where a value must start: JSON.parse of the slice would not see it.
    if (c === RBRACE || c === RBRACKET || c === COMMA || c === COLON) throw new UnreadableBody(NOT_JSON);
    this.cutting = what;
    this.kind = c === LBRACE || c === LBRACKET ? 'container' : c === QUOTE ? 'string' : 'scalar';
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    return this.cut(buf, i);
  }

  /**
   * Scans the value being cut out from `start`: to its end (then hands it on) or to the end of
   * the chunk (then keeps the piece). Returns the next index.
   */
  private cut(buf: Buffer, start: number): number {
    const n = buf.length;
    let i = start;
    let end = -1;
    if (this.kind === 'scalar') {
      for (; i < n; i++) {
        const c = buf[i]!;
        if (c === COMMA || c === RBRACE || c === RBRACKET || c === COLON || isSpace(c)) {
          end = i;
          break;
        }
      }
    } else {
      // The hot loop of a sync's read: every byte of every record passes here once.
      let depth = this.depth;
      let inString = this.inString;
      let escaped = this.escaped;
      const string = this.kind === 'string';
      if (string && i === start && depth === 0 && !inString) {
        // The opening quote of a string value.
        inString = true;
        depth = 1;
        i++;
      }
      for (; i < n; i++) {
        const c = buf[i]!;
        if (inString) {
          if (escaped) escaped = false;
          else if (c === BACKSLASH) escaped = true;
          else if (c === QUOTE) {
            inString = false;
            if (string) {
              end = i + 1;
              break;
            }
          }
        } else if (c === QUOTE) inString = true;
        else if (c === LBRACE || c === LBRACKET) depth++;
        else if (c === RBRACE || c === RBRACKET) {
          if (--depth === 0) {
            end = i + 1;
            break;
          }
        }
      }
      this.depth = depth;
      this.inString = inString;
      this.escaped = escaped;
    }
    if (end < 0) {
      this.pieces.push(buf.subarray(start, n));
      return n;
    }
    if (this.cutting === 'element' && this.pieces.length === 0) {
      // Whole within this chunk: joins the chunk's run, read at the end of the chunk.
      if (this.runCount === 0) this.runStart = start;
      this.runEnd = end;
      this.runCount++;
      this.cutting = null;
      this.state = 'after-element';
      return end;
    }
    let text: string;
    if (this.pieces.length === 0) text = buf.toString('utf8', start, end);
    else {
      this.pieces.push(buf.subarray(start, end));
      text = Buffer.concat(this.pieces).toString('utf8');
      this.pieces = [];
    }
    this.finish(text);
    return end;
  }

  /** A whole value's text: parsed and placed. */
  private finish(text: string): void {
    const what = this.cutting;
    this.cutting = null;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new UnreadableBody(NOT_JSON);
    }
    if (what === 'element') {
      this.onRecord(value, this.count++);
      this.state = 'after-element';
    } else if (what === 'key') {
      this.key = value as string;
      this.state = 'colon';
    } else {
      this.members.push(`${JSON.stringify(this.key)}:${text}`);
      this.state = 'after-value';
    }
  }

  /** A body that is not an object, read whole as before. */
  private endWhole(): number {
    const records = collectionOf(parseJsonBody(Buffer.concat(this.whole).toString('utf8')), this.collection);
    for (const [i, raw] of records.entries()) this.onRecord(raw, i);
    this.count = records.length;
    return this.count;
  }
}
