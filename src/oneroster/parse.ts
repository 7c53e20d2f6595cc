/**
 * Turns the records of one page into canonical records, setting aside the malformed ones with
 * where they were and what was wrong — never a crash, never a silent drop. Messages name
 * fields, never values: roster payloads are personal data.
 */
import type { MalformedRecord, RosterCollection, RosterRecordOf } from '../domain/roster.ts';
import { FAST_READERS_V1P1, type FastReader } from './fast-read.ts';
import { COLLECTION_SPECS } from './schemas.ts';

/** The outcome of reading one record. */
export type RecordReading<C extends RosterCollection> =
  | { ok: true; record: RosterRecordOf[C] }
  | { ok: false; sourcedId: string; message: string };

/** The records of one page: the readable ones, in order, and the malformed ones. */
export interface ParsedPage<C extends RosterCollection> {
  /** Canonical records. */
  records: RosterRecordOf[C][];
  /** Records that could not be read. */
  malformed: MalformedRecord[];
}

/** How many schema issues a malformed record's message lists. */
const MAX_ISSUES_SHOWN = 3;

/** Every collection's reading rules, for one OneRoster version (1.1's by default). */
export type CollectionSpecs = typeof COLLECTION_SPECS;

/**
 * Reads one wire record. `projection` is the `fields=` list the request asked for, if any:
 * a field projected away is not required. `specs` are the version's reading rules. A collection
 * read by 1.1's schema goes through the hand-written reader of fast-read.ts, and only the records
 * it is not certain of through the zod schema (same records either way; messages always zod's).
 */
export function parseRecord<C extends RosterCollection>(
  collection: C,
  raw: unknown,
  projection?: ReadonlySet<string>,
  specs: CollectionSpecs = COLLECTION_SPECS,
): RecordReading<C> {
  // By schema, not by version: 1.2 reads every collection but users with 1.1's schemas.
  const fast = specs[collection].schema === COLLECTION_SPECS[collection].schema ? FAST_READERS_V1P1[collection] : undefined;
  return readRecord(collection, raw, projection, specs, fast);
}

/** parseRecord by the zod schemas alone, never the fast readers (what they are tested against). */
export function parseRecordWithSchema<C extends RosterCollection>(
  collection: C,
  raw: unknown,
  projection?: ReadonlySet<string>,
  specs: CollectionSpecs = COLLECTION_SPECS,
): RecordReading<C> {
  return readRecord(collection, raw, projection, specs, undefined);
}

function readRecord<C extends RosterCollection>(
  collection: C,
  raw: unknown,
  projection: ReadonlySet<string> | undefined,
  specs: CollectionSpecs,
  fast: FastReader<RosterRecordOf[C]> | undefined,
): RecordReading<C> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, sourcedId: '', message: 'not a JSON object' };
  }
  const wire = raw as Record<string, unknown>;
  const rawId = wire['sourcedId'];
  const sourcedId = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : '';
  if (sourcedId.trim() === '') return { ok: false, sourcedId: '', message: 'no sourcedId' };

  const spec = specs[collection];
  let record = fast?.(wire);
  if (record === undefined) {
    const parsed = spec.schema.safeParse(wire);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, MAX_ISSUES_SHOWN).map((i) => {
        const path = i.path.join('.');
        return path ? `${path}: ${i.message}` : i.message;
      });
      return { ok: false, sourcedId, message: issues.join('; ') };
    }
    record = parsed.data;
  }
  // A loop rather than filter/filter/map: this runs for every record of a sync.
  let missing: string[] | undefined;
  for (const f of spec.required) {
    if (projection && !projection.has(f.wire)) continue;
    let absent = wire[f.wire] == null;
    if (!absent && !f.blankAllowed) {
      const value = (record as unknown as Record<string, unknown>)[f.canonical];
      absent = typeof value === 'string' && value.trim() === '';
    }
    if (absent) (missing ??= []).push(f.wire);
  }
  if (missing) return { ok: false, sourcedId, message: `missing ${missing.join(', ')}` };
  return { ok: true, record };
}

/** Reads the records of the page at `offset` (by `specs`, 1.1's by default). */
export function parsePage<C extends RosterCollection>(
  collection: C,
  raws: readonly unknown[],
  offset: number,
  projection?: ReadonlySet<string>,
  specs: CollectionSpecs = COLLECTION_SPECS,
): ParsedPage<C> {
  const page = new PageReader(collection, { offset, limit: raws.length }, projection, specs);
  raws.forEach(page.add);
  return page.result();
}

/**
 * Reads a page one record at a time, as a streamed body yields them: `add` each raw record with
 * its index in the body; records past the page's limit (a server that ignores limit) are left
 * unread, as they overlap the next page.
 */
export class PageReader<C extends RosterCollection> {
  private readonly records: RosterRecordOf[C][] = [];
  private readonly malformed: MalformedRecord[] = [];

  constructor(
    private readonly collection: C,
    private readonly segment: { offset: number; limit: number },
    private readonly projection?: ReadonlySet<string>,
    private readonly specs: CollectionSpecs = COLLECTION_SPECS,
    /** What of each good record the page keeps (the caller's choice; the whole record when absent). */
    private readonly keep?: (record: RosterRecordOf[C]) => RosterRecordOf[C],
  ) {}

  /** Reads the record at `index` of the body (bound: may be passed on as a callback). */
  readonly add = (raw: unknown, index: number): void => {
    if (index >= this.segment.limit) return;
    const reading = parseRecord(this.collection, raw, this.projection, this.specs);
    if (reading.ok) this.records.push(this.keep ? this.keep(reading.record) : reading.record);
    else {
      this.malformed.push({
        collection: this.collection,
        sourcedId: reading.sourcedId,
        where: `page offset ${this.segment.offset}, record ${index + 1}`,
        message: reading.message,
      });
    }
  };

  /** The page as read so far. */
  result(): ParsedPage<C> {
    return { records: this.records, malformed: this.malformed };
  }
}
