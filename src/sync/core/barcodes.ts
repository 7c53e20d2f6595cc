/**
 * Barcodes of new patrons (SPEC §3.3: "barcode assignment — next free number from a prefix and
 * sequence, or left blank"), assigned while a plan is built.
 */
import type { SyncRole } from '../../domain/roster.ts';
import { fold } from './scope.ts';
import type { BarcodeAssignment } from './types.ts';

/** A barcode sequence setting. */
export type BarcodeSequence = Extract<BarcodeAssignment, { kind: 'sequence' }>;

/**
 * The barcode sequences of one plan: each number is passed over while any patron, or a patron
 * created earlier in the plan, already has that barcode (compared without case or spaces).
 */
export class BarcodeSequences {
  /** The next number of each sequence used (apply stores it in the role's settings). */
  readonly next: Partial<Record<SyncRole, number>> = {};
  private used: Set<string> | undefined;

  /** `taken`: every existing patron's barcode, folded (read on first use). */
  constructor(private readonly taken: () => Iterable<string>) {}

  /** The next free barcode of the role's sequence, e.g. prefix `S`, width 6 → `S000042`. */
  take(role: SyncRole, seq: BarcodeSequence): string {
    // Built on first use: most libraries assign no barcodes, and this walks every patron.
    if (!this.used) {
      this.used = new Set(this.taken());
      this.used.delete('');
    }
    let n = this.next[role] ?? seq.next;
    for (;;) {
      const barcode = `${seq.prefix}${String(n).padStart(seq.width, '0')}`;
      n++;
      if (!this.used.has(fold(barcode))) {
        this.used.add(fold(barcode));
        this.next[role] = n;
        return barcode;
      }
    }
  }
}
