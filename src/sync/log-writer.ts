/**
 * An operation's log as a sync writes it: lines are buffered and appended in batches (a first
 * sync of 100,000 students logs 100,000 lines; one insert per line would dominate the run),
 * flushed in order, and counted by level for the operation's `warnings` count.
 */
import type { LogLevel, OperationCounts, Store } from '../store/store.ts';
import { zeroCounts } from '../store/store.ts';

/** Lines buffered before a batch is appended. */
const FLUSH_EVERY = 2000;

/** The log of one running operation. */
export class OperationLogWriter {
  private buffer: { level: LogLevel; message: string; sourcedId: string; at: string }[] = [];
  private writing: Promise<void> = Promise.resolve();
  private warnings = 0;
  private lastStamp = { t: Number.NaN, iso: '' };

  constructor(
    private readonly store: Pick<Store, 'operations'>,
    private readonly libraryId: number,
    private readonly operationId: number,
    private readonly now: () => Date,
  ) {}

  /**
   * Appends a line (one line: newlines are folded). Warning lines count toward the operation's
   * `warnings` unless `counted` is false (conflicts are warnings to read but have their own count).
   */
  line(level: LogLevel, message: string, sourcedId = '', counted = true): void {
    if (level === 'warning' && counted) this.warnings++;
    this.buffer.push({ level, message: message.includes('\n') ? message.replace(/\s*\n\s*/g, ' ') : message, sourcedId, at: this.stamp() });
    if (this.buffer.length >= FLUSH_EVERY) void this.flush().catch(() => {});
  }

  /** The time of a line as stored (ISO); lines of one millisecond share one string (a first sync logs 100,000). */
  private stamp(): string {
    const t = this.now().getTime();
    if (t !== this.lastStamp.t) this.lastStamp = { t, iso: new Date(t).toISOString() };
    return this.lastStamp.iso;
  }

  /** An info line. */
  info(message: string, sourcedId?: string): void {
    this.line('info', message, sourcedId);
  }

  /** A warning line (counted). */
  warning(message: string, sourcedId?: string): void {
    this.line('warning', message, sourcedId);
  }

  /** An error line. */
  error(message: string, sourcedId?: string): void {
    this.line('error', message, sourcedId);
  }

  /** Warnings logged so far. */
  warningCount(): number {
    return this.warnings;
  }

  /** Counts to record when a sync fails before it has a plan: only the warnings are known. */
  countsSoFar(): OperationCounts {
    return { ...zeroCounts(), warnings: this.warnings };
  }

  /** Writes every buffered line, in order. */
  flush(): Promise<void> {
    const lines = this.buffer;
    this.buffer = [];
    if (lines.length > 0) {
      this.writing = this.writing.then(() => this.store.operations.appendLog(this.libraryId, this.operationId, lines));
    }
    return this.writing;
  }
}
