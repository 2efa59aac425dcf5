/**
 * Cuts a byte stream (what a WebAssembly module writes to stdout or stderr, one write at
 * a time) into the lines a task's log holds: UTF-8 decoded across writes, "\r\n" taken as
 * "\n", and a line that never ends cut at a bound so a module cannot grow one without limit.
 */

/** Longest line kept whole; longer ones are cut into pieces of this many characters. */
export const MAX_LINE_CHARS = 64 * 1024;

/** Splits written bytes into complete lines. */
export class OutputLines {
  readonly #decoder = new TextDecoder("utf-8", { fatal: false });
  #partial = "";

  constructor(private readonly emit: (lines: string[]) => void, private readonly maxChars = MAX_LINE_CHARS) {}

  /** Takes one write; emits the lines it completes. */
  write(bytes: Uint8Array): void {
    this.#take(this.#decoder.decode(bytes, { stream: true }));
  }

  /** Emits what is left of an unfinished last line (the stream ended). */
  flush(): void {
    this.#take(this.#decoder.decode());
    if (this.#partial !== "") this.emit([this.#partial]);
    this.#partial = "";
  }

  #take(text: string): void {
    if (text === "") return;
    const parts = (this.#partial + text).split("\n");
    this.#partial = parts.pop() ?? "";
    const lines = parts.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
    while (this.#partial.length > this.maxChars) {
      lines.push(this.#partial.slice(0, this.maxChars));
      this.#partial = this.#partial.slice(this.maxChars);
    }
    const bounded = lines.flatMap((l) => (l.length <= this.maxChars ? [l] : chunks(l, this.maxChars)));
    if (bounded.length > 0) this.emit(bounded);
  }
}

function chunks(line: string, size: number): string[] {
  const out: string[] = [];
  for (let at = 0; at < line.length; at += size) out.push(line.slice(at, at + size));
  return out;
}
