/**
 * `TextTable`: the plain-text event output of `ecli run` (DESIGN.md section 4):
 * a header `TIME` + upper-cased field names, then one aligned row per event.
 */
import type { DecodedValue } from "../decode/value.ts";
import { formatJson } from "./format-json.ts";

const TIME_WIDTH = 8; // HH:MM:SS
const MIN_WIDTH = 6;

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** One cell: strings as they are (control characters escaped so a row stays one line), nested values as JSON. */
function cell(v: DecodedValue | undefined): string {
  switch (typeof v) {
    case "string":
      return /[\u0000-\u001f\u007f]/.test(v) ? JSON.stringify(v).slice(1, -1) : v;
    case "number": case "bigint": case "boolean":
      return String(v);
    case "undefined":
      return "";
    default:
      return v === null ? "null" : formatJson(v);
  }
}

/**
 * Aligned text output: every column is max(6, name length) wide, separated by one space.
 *
 * @example
 *   const t = new TextTable(["pid", "comm"]);
 *   t.header();                                  // "TIME     PID    COMM"
 *   t.row(new Date(), { pid: 42, comm: "bash" }); // "12:00:01 42     bash"
 */
export class TextTable {
  readonly #names: string[];
  readonly #widths: number[];

  constructor(readonly fields: string[]) {
    this.#names = fields.map((f) => f.toUpperCase());
    this.#widths = fields.map((f) => Math.max(MIN_WIDTH, f.length));
  }

  /** The header line (no trailing newline). */
  header(): string {
    return this.#line("TIME".padEnd(TIME_WIDTH), this.#names);
  }

  /** One row: local `HH:MM:SS` of `time`, then the record's values in field order. */
  row(time: Date, record: Record<string, DecodedValue>): string {
    const hms = `${two(time.getHours())}:${two(time.getMinutes())}:${two(time.getSeconds())}`;
    return this.#line(hms, this.fields.map((f) => cell(record[f])));
  }

  #line(first: string, cells: string[]): string {
    let s = first;
    const last = cells.length - 1;
    for (let i = 0; i <= last; i++) s += ` ${i === last ? cells[i] : cells[i].padEnd(this.#widths[i])}`;
    return s;
  }
}
