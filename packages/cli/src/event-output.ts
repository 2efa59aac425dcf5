/**
 * Turns decoded events into text rows or JSON lines and writes them in batches:
 * one write per drained batch, awaited, so a slow reader applies back-pressure.
 */
import { formatJson, TextTable, type DecodedValue } from "@eunomia/decoder";

export type OutputMode = "text" | "json";

/** Accumulates formatted lines until `flush`. */
export class EventOutput {
  private pending: string[] = [];
  private readonly table: TextTable | undefined;
  private headerDone = false;
  /** The time stamped on rows added now (set once per batch, not per event). */
  now = new Date();

  constructor(readonly mode: OutputMode, fields: string[]) {
    this.table = mode === "text" ? new TextTable(fields) : undefined;
  }

  /** Adds one decoded event. */
  add(record: DecodedValue, time: Date): void {
    if (!this.table) {
      this.pending.push(formatJson(record));
      return;
    }
    if (!this.headerDone) {
      this.pending.push(this.table.header());
      this.headerDone = true;
    }
    this.pending.push(this.table.row(time, record as Record<string, DecodedValue>));
  }

  /** Adds a line as it is (raw events of a package that exports no type). */
  addLine(line: string): void {
    this.pending.push(line);
  }

  /** Hands over the lines accumulated so far, for a caller that keeps them elsewhere (the server's task log). */
  takeLines(): string[] {
    const lines = this.pending;
    this.pending = [];
    return lines;
  }

  /** Writes what has accumulated to standard output. */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const text = this.pending.join("\n") + "\n";
    this.pending = [];
    await Bun.write(Bun.stdout, text);
  }
}
