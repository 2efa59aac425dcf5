/**
 * A typed walk over a parsed YAML document that remembers where each value sits, so
 * every complaint names the file, line and column ("config.yaml:12:9: ...").
 */
import { isMap, isNode, LineCounter, parseDocument, type Document } from "yaml";
import { ConfigError } from "./config-error.ts";

type Path = readonly (string | number)[];

interface Source {
  file: string;
  doc: Document;
  lines: LineCounter;
}

/** A value of the document with its path. */
export class YamlField {
  readonly #source: Source;
  readonly path: Path;
  readonly value: unknown;

  /** @internal Use {@link parseYaml}. */
  constructor(source: Source, path: Path, value: unknown) {
    this.#source = source;
    this.path = path;
    this.value = value;
  }

  /** "file:line:column" of this value (or of the nearest enclosing one that has a place). */
  get place(): string {
    for (let n = this.path.length; n >= 0; n--) {
      const node = n === 0 ? this.#source.doc.contents : this.#source.doc.getIn(this.path.slice(0, n), true);
      if (isNode(node) && node.range) {
        const { line, col } = this.#source.lines.linePos(node.range[0]);
        return `${this.#source.file}:${line}:${col}`;
      }
    }
    return `${this.#source.file}:1:1`;
  }

  /** "file:line:column" of the key `key` of this mapping (for complaints about the key itself). */
  keyPlace(key: string): string {
    const node = this.path.length === 0 ? this.#source.doc.contents : this.#source.doc.getIn(this.path, true);
    const pair = isMap(node) ? node.items.find((p) => isNode(p.key) && (p.key as { value?: unknown }).value === key) : undefined;
    if (pair && isNode(pair.key) && pair.key.range) {
      const { line, col } = this.#source.lines.linePos(pair.key.range[0]);
      return `${this.#source.file}:${line}:${col}`;
    }
    return this.place;
  }

  /** The dotted name of this value, e.g. programs[0].metrics.counters[1].name. */
  get name(): string {
    return this.path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("") || "the document";
  }

  /** Throws a {@link ConfigError} placed at this value. */
  fail(message: string): never {
    throw new ConfigError(`${this.place}: ${message}`);
  }

  #object(): Record<string, unknown> {
    const v = this.value;
    if (v === null || typeof v !== "object" || Array.isArray(v)) this.fail(`${this.name} must be a mapping`);
    return v as Record<string, unknown>;
  }

  /** The member `key` of this mapping, or undefined when absent or null. */
  get(key: string): YamlField | undefined {
    const obj = this.#object();
    const v = Object.hasOwn(obj, key) ? obj[key] : undefined;
    return v === undefined || v === null ? undefined : new YamlField(this.#source, [...this.path, key], v);
  }

  /** The member `key`, which must be present. */
  need(key: string): YamlField {
    return this.get(key) ?? this.fail(`${this.name || "the document"} needs \`${key}\``);
  }

  /** Fails on members other than `known` (a typo should not pass silently). */
  only(known: readonly string[]): this {
    for (const key of Object.keys(this.#object())) {
      if (!known.includes(key)) throw new ConfigError(`${this.keyPlace(key)}: unknown key \`${key}\` in ${this.name || "the document"} (known: ${known.join(", ")})`);
    }
    return this;
  }

  /** The members of this mapping. */
  entries(): [string, YamlField][] {
    return Object.entries(this.#object()).map(([k, v]) => [k, new YamlField(this.#source, [...this.path, k], v)]);
  }

  /** The items of this sequence. */
  items(): YamlField[] {
    if (!Array.isArray(this.value)) this.fail(`${this.name} must be a list`);
    return this.value.map((v, i) => new YamlField(this.#source, [...this.path, i], v));
  }

  string(): string {
    if (typeof this.value !== "string" || this.value === "") this.fail(`${this.name} must be a non-empty string`);
    return this.value;
  }

  number(): number {
    if (typeof this.value !== "number" || !Number.isFinite(this.value)) this.fail(`${this.name} must be a number`);
    return this.value;
  }

  integer(min: number, max = Number.MAX_SAFE_INTEGER): number {
    const n = this.number();
    if (!Number.isInteger(n) || n < min || n > max) this.fail(`${this.name} must be an integer from ${min} to ${max}, not ${n}`);
    return n;
  }

  boolean(): boolean {
    if (typeof this.value !== "boolean") this.fail(`${this.name} must be true or false`);
    return this.value;
  }

  /** A mapping of its own options (the raw JS value), for decoders. */
  raw(): Readonly<Record<string, unknown>> {
    return this.#object();
  }
}

/**
 * Parses YAML text; a syntax error is a {@link ConfigError} with its line and column.
 * @example parseYaml("programs: []", "config.yaml").need("programs").items();
 */
export function parseYaml(text: string, file: string): YamlField {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    const where = at ? `${file}:${at.line}:${at.col}` : file;
    throw new ConfigError(`${where}: ${error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`);
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  return new YamlField({ file, doc, lines }, [], value ?? {});
}
