/**
 * Warnings about a file that may concern many rows ("3 rows have a blank status"), counted
 * while the file streams and written out once at its end, so a million odd rows make one
 * line in the log, not a million.
 */

/** Counts one kind of oddity per file and remembers the first line it was seen on. */
export class FileNotes {
  private readonly counts = new Map<string, { count: number; firstLine: number; text: (n: number) => string }>();

  /** @param fileName the file the notes are about, e.g. `users.csv`. */
  constructor(private readonly fileName: string) {}

  /**
   * Notes one occurrence of a kind of oddity on a line. `text(n)` words the warning for n
   * occurrences; it is called once, at the end.
   */
  note(kind: string, line: number, text: (count: number) => string): void {
    const seen = this.counts.get(kind);
    if (seen) seen.count++;
    else this.counts.set(kind, { count: 1, firstLine: line, text });
  }

  /** The warnings, one per kind: `users.csv: 3 rows have … (first at line 4).` */
  warnings(): string[] {
    return [...this.counts.values()].map(({ count, firstLine, text }) => `${this.fileName}: ${text(count)} (first at line ${firstLine}).`);
  }
}

/** "1 row has" / "3 rows have": the subject of most row-count warnings. */
export function rowsHave(count: number): string {
  return count === 1 ? '1 row has' : `${count} rows have`;
}
