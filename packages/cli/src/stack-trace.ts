/**
 * The `stack_trace` interpreter of a package's ring buffer / perf buffer map
 * (`"intepreter": {"stack_trace": {"field_map"?: {...}, "with_symbols"?: true}}`): an event
 * carrying a process's kernel and user stacks (as bpf_get_stack() fills them) is printed
 * as the original eunomia-bpf prints it:
 *
 * ```
 * COMM: sleeper (pid=4242) @ CPU 1
 * Kernel:
 *   0 [<ffffffff81e4a1b2>] __schedule+0x628
 *   1 [<ffffffff81e4a5e3>] schedule+0x23
 * Userspace:
 *   0 [<000055d0c8a01139>] level_three+0x1d
 *   1 [<000055d0c8a01162>] level_two+0x9
 * ```
 *
 * followed by an empty line, or (our extension; the original refuses JSON here) as one
 * JSON object per event.
 */
import type { DecodedValue } from "@eunomia/decoder";
import { StackSymbolizer, type StackFrame, type StackSymbolizerOptions } from "./stack-symbolizer.ts";

/** The event fields the interpreter reads; `field_map` renames any of them. */
export const STACK_TRACE_FIELDS = ["pid", "cpu_id", "comm", "kstack_sz", "ustack_sz", "kstack", "ustack"] as const;
export type StackTraceField = (typeof STACK_TRACE_FIELDS)[number];

/** A package's stack_trace settings do not fit its events: bad field_map, missing or mistyped field. */
export class StackTraceError extends Error {
  override readonly name = "StackTraceError";
}

/** Options of {@link createStackTraceFormatter}: the package's `stack_trace` settings. */
export interface StackTraceOptions {
  /** `field_map`: interpreter field → the event's field name, e.g. `{ "pid": "tgid" }`. */
  fieldMap?: Record<string, string>;
  /** `with_symbols` (the original's default is true): resolve addresses to `symbol+offset`. */
  withSymbols: boolean;
  /** Where symbols come from; by default the live system's, warnings dropped. */
  symbolizer?: StackSymbolizer | StackSymbolizerOptions;
}

/** Formats decoded events as stack traces. */
export interface StackTraceFormatter {
  /**
   * The event as text (the original's block: a line per frame, ending in "\n", so that
   * printing it as a line leaves the original's empty line after it) or as one JSON
   * object (no newline). Returns "" for an event with neither stack (negative or zero
   * sizes), which the original does not print either.
   * @throws StackTraceError when the event lacks a field or a field has the wrong type.
   */
  format(event: Record<string, DecodedValue>, mode: "text" | "json"): string;
}

interface StackEvent { pid: number; cpuId: number; comm: string; kstack?: bigint[]; ustack?: bigint[] }

/**
 * Checks a `field_map` and the event's field names against each other, before any event
 * arrives: the CLI calls it when it sets up the interpreter, for a one-line error.
 * @throws StackTraceError naming the unknown key, or the field the event lacks.
 * @example checkStackTraceFields(["pid", "cpu_id", "comm", "kstack_sz", "ustack_sz", "kstack", "ustack"]);
 */
export function checkStackTraceFields(eventFields: readonly string[], fieldMap: Record<string, unknown> = {}): void {
  const names = resolveFieldNames(fieldMap);
  for (const f of STACK_TRACE_FIELDS) {
    if (!eventFields.includes(names[f])) {
      throw new StackTraceError(`stack_trace: the event has no field ${JSON.stringify(names[f])}${names[f] === f ? "" : ` (field_map of ${f})`}; it has ${eventFields.join(", ")}`);
    }
  }
}

function resolveFieldNames(fieldMap: Record<string, unknown>): Record<StackTraceField, string> {
  for (const [key, value] of Object.entries(fieldMap)) {
    if (!(STACK_TRACE_FIELDS as readonly string[]).includes(key)) {
      throw new StackTraceError(`stack_trace: field_map key ${JSON.stringify(key)} is not one of ${STACK_TRACE_FIELDS.join(", ")}`);
    }
    if (typeof value !== "string" || value === "") {
      throw new StackTraceError(`stack_trace: field_map.${key} must be a field name, not ${JSON.stringify(value)}`);
    }
  }
  const out = {} as Record<StackTraceField, string>;
  for (const f of STACK_TRACE_FIELDS) out[f] = (fieldMap[f] as string | undefined) ?? f;
  return out;
}

function describeType(v: DecodedValue | undefined): string {
  return v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "object" ? "a struct" : `a ${typeof v}`;
}

/**
 * Builds a formatter for one map's `stack_trace` interpreter.
 * @throws StackTraceError when `fieldMap` has a key that is not an interpreter field or a value that is not a name.
 * @example
 *   const fmt = createStackTraceFormatter({ withSymbols: true });
 *   const text = fmt.format(decode(record) as Record<string, DecodedValue>, "text");
 *   if (text) output.addLine(text);
 */
export function createStackTraceFormatter(opts: StackTraceOptions): StackTraceFormatter {
  const names = resolveFieldNames(opts.fieldMap ?? {});
  let symbolizer: StackSymbolizer | undefined;
  const symbols = () =>
    (symbolizer ??= opts.symbolizer instanceof StackSymbolizer ? opts.symbolizer : new StackSymbolizer(opts.symbolizer));

  const field = (event: Record<string, DecodedValue>, f: StackTraceField): DecodedValue => {
    const v = event[names[f]];
    if (v === undefined) {
      throw new StackTraceError(`stack_trace: the event has no field ${JSON.stringify(names[f])}${names[f] === f ? "" : ` (field_map of ${f})`}`);
    }
    return v;
  };
  const int = (event: Record<string, DecodedValue>, f: StackTraceField): number => {
    const v = field(event, f);
    if (typeof v === "number" && Number.isInteger(v)) return v;
    if (typeof v === "bigint") return Number(v);
    throw new StackTraceError(`stack_trace: field ${JSON.stringify(names[f])} (${f}) is ${describeType(v)}, expected an integer`);
  };
  /** The first `sizeBytes / 8` addresses, zero-padded as the original does; undefined for no stack. */
  const stack = (event: Record<string, DecodedValue>, f: "kstack" | "ustack", sizeBytes: number): bigint[] | undefined => {
    const v = field(event, f);
    const ok = Array.isArray(v) && v.every((x) => typeof x === "bigint" || (typeof x === "number" && Number.isInteger(x)));
    if (!ok) throw new StackTraceError(`stack_trace: field ${JSON.stringify(names[f])} (${f}) is ${describeType(v)}, expected an array of addresses`);
    const count = Math.trunc(sizeBytes / 8);
    if (count <= 0) return undefined;
    const out: bigint[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = i < v.length ? BigInt(v[i] as number | bigint) & 0xffff_ffff_ffff_ffffn : 0n;
    return out;
  };
  const parse = (event: Record<string, DecodedValue>): StackEvent => {
    const comm = field(event, "comm");
    if (typeof comm !== "string") throw new StackTraceError(`stack_trace: field ${JSON.stringify(names.comm)} (comm) is ${describeType(comm)}, expected a string`);
    return {
      pid: int(event, "pid"), cpuId: int(event, "cpu_id"), comm,
      kstack: stack(event, "kstack", int(event, "kstack_sz")),
      ustack: stack(event, "ustack", int(event, "ustack_sz")),
    };
  };
  const frames = (e: StackEvent, which: "kernel" | "user"): StackFrame[] | undefined => {
    const addrs = which === "kernel" ? e.kstack : e.ustack;
    if (!addrs) return undefined;
    if (!opts.withSymbols) return addrs.map((address) => ({ address }));
    return which === "kernel" ? symbols().kernel(addrs) : symbols().user(e.pid, addrs);
  };

  return {
    format(event, mode) {
      const e = parse(event);
      if (!e.kstack && !e.ustack) return "";
      const kernel = frames(e, "kernel");
      const user = frames(e, "user");
      return mode === "json" ? jsonEvent(e, kernel, user) : textEvent(e, kernel, user);
    },
  };
}

function address16(a: bigint): string {
  return a.toString(16).padStart(16, "0");
}

function textFrames(out: string[], frames: StackFrame[]): void {
  frames.forEach((f, i) => {
    const where = f.symbol === undefined ? "" : ` ${f.symbol}+0x${f.offset!.toString(16)}`;
    out.push(`  ${i} [<${address16(f.address)}>]${where}`);
  });
}

function textEvent(e: StackEvent, kernel: StackFrame[] | undefined, user: StackFrame[] | undefined): string {
  const out = [`COMM: ${e.comm} (pid=${e.pid}) @ CPU ${e.cpuId}`];
  if (kernel) {
    out.push("Kernel:");
    textFrames(out, kernel);
  } else {
    out.push("No Kernel Stack");
  }
  if (user) {
    out.push("Userspace:");
    textFrames(out, user);
  } else {
    out.push("No Userspace Stack");
  }
  return `${out.join("\n")}\n`;
}

function jsonFrames(frames: StackFrame[] | undefined): string {
  if (!frames) return "[]";
  const items = frames.map((f) => {
    let s = `{"address":"0x${address16(f.address)}"`;
    if (f.symbol !== undefined) s += `,"symbol":${JSON.stringify(f.symbol)},"offset":${f.offset}`;
    if (f.module !== undefined) s += `,"module":${JSON.stringify(f.module)}`;
    if (f.file !== undefined) s += `,"file":${JSON.stringify(f.file)}`;
    return `${s}}`;
  });
  return `[${items.join(",")}]`;
}

function jsonEvent(e: StackEvent, kernel: StackFrame[] | undefined, user: StackFrame[] | undefined): string {
  return `{"pid":${e.pid},"cpu_id":${e.cpuId},"comm":${JSON.stringify(e.comm)},"kstack":${jsonFrames(kernel)},"ustack":${jsonFrames(user)}}`;
}
