/**
 * `createJsonWriter`: one record of a BTF type written as a JSON line, in UTF-8 bytes,
 * straight into a caller's output buffer: no intermediate object, no string. Compiled
 * once per type (like `createJsonFormatter`); its output is byte for byte
 * `formatJson(createDecoder(btf, id)(bytes)) + "\n"` encoded as UTF-8.
 */
import type { Btf } from "../btf/btf.ts";
import { at, bitsExpr } from "../decode/compile.ts";
import { planType, type IntRead, type Plan } from "../decode/plan.ts";
import { bitsBig } from "../decode/readers.ts";
import { DecodeError } from "../errors.ts";
import * as jb from "./json-bytes.ts";

/**
 * Writes the JSON line (ending in "\n") of the record at `src[srcOffset]` into `out` at
 * `outPos` and returns the position after it, or -1 when the line does not fit in
 * `out.length - outPos` bytes (then `out` past `outPos` may hold scratch but nothing
 * beyond its length is touched: flush and call again).
 */
export type JsonWriter = (src: Uint8Array, srcOffset: number, out: Uint8Array, outPos: number) => number;

/** Compiled body: writes at `p` (room checked by the caller), returns the new position. */
type Fill = (u8: Uint8Array, b: number, out: Uint8Array, p: number) => number;

/** Source of the int32 at byte expression `a`, composed from its little-endian bytes. */
const i32 = (a: string): string => `(u8[${a}]|u8[${a}+1]<<8|u8[${a}+2]<<16|u8[${a}+3]<<24)`;

/**
 * Source of integer `read` at byte expression `a` with the value the decoder gives it: a
 * number up to 32 bits (read from bytes, no DataView), a bigint for 64 and 128 bits.
 */
function num(read: IntRead, a: string): string {
  switch (read) {
    case "u8": return `u8[${a}]`;
    case "i8": return `(u8[${a}]<<24>>24)`;
    case "u16": return `(u8[${a}]|u8[${a}+1]<<8)`;
    case "i16": return `((u8[${a}]|u8[${a}+1]<<8)<<16>>16)`;
    case "u32": return `(${i32(a)}>>>0)`;
    case "i32": return i32(a);
    case "u64": return `rbig(u8,${a},8,false)`;
    case "i64": return `rbig(u8,${a},8,true)`;
    case "u128": return `rbig(u8,${a},16,false)`;
    case "i128": return `rbig(u8,${a},16,true)`;
    default: {
      const never: never = read;
      throw new Error(`unhandled read ${String(never)}`);
    }
  }
}

const utf8 = new TextEncoder();

/** Most bytes the decimal text of an integer read as `read` can take. */
const INT_MAX: Record<IntRead, number> = { u8: 3, i8: 4, u16: 5, i16: 6, u32: 10, i32: 11, u64: 20, i64: 20, u128: 39, i128: 40 };
/** `String(double)` is at most 24 characters ("-2.2250738585072014e-308"). */
const FLOAT_MAX = 24;

function enumBytes(names: Map<number | bigint, string>): Map<number | bigint, Uint8Array> {
  return new Map([...names].map(([k, v]) => [k, utf8.encode(JSON.stringify(v))]));
}

function longest(names: Map<number | bigint, Uint8Array>, number: number): number {
  let m = number;
  for (const k of names.values()) m = Math.max(m, k.length);
  return m;
}

/** Upper bound of the bytes the JSON text of a value of plan `p` can take. */
function maxBytes(p: Plan, enums: (names: Map<number | bigint, string>) => Map<number | bigint, Uint8Array>): number {
  switch (p.k) {
    case "int": return INT_MAX[p.read];
    case "bool": return 5;
    case "float": return FLOAT_MAX;
    case "enum": return longest(enums(p.names), INT_MAX[p.read]);
    // Each byte becomes at most 6: "\u001f", or an invalid byte's U+FFFD (3) escaped never.
    case "str": return 2 + 6 * p.len;
    case "bits": {
      const digits = p.bitSize <= 32 ? 11 : p.bitSize <= 64 ? 20 : 40;
      if (p.bool) return 5;
      return p.names ? longest(enums(p.names), digits) : digits;
    }
    case "array": return 2 + p.n * (maxBytes(p.elem, enums) + 1);
    case "object": {
      let n = 2;
      for (const f of p.fields) n += utf8.encode(JSON.stringify(f.key)).length + 2 + maxBytes(f.plan, enums);
      return n;
    }
    default: {
      const never: never = p;
      throw new Error(`unhandled plan ${String(never)}`);
    }
  }
}

/** Statements of a writer body: constant bytes are merged and stored unrolled. */
class Body {
  lines: string[] = [];
  private pending: number[] = [];

  constBytes(bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.pending.push(bytes[i]);
  }

  constText(s: string): void {
    this.constBytes(utf8.encode(s));
  }

  /** A statement that advances `p`; pending constants are stored first. */
  stmt(s: string): void {
    this.flushConst();
    this.lines.push(s);
  }

  flushConst(): void {
    const k = this.pending;
    if (k.length === 0) return;
    this.lines.push(`${k.map((c, i) => `out[${i === 0 ? "p" : `p+${i}`}]=${c};`).join("")}p+=${k.length};`);
    this.pending = [];
  }

  text(): string {
    this.flushConst();
    return this.lines.join("\n");
  }
}

class WriterEmitter {
  fns: string[] = [];
  enums: Map<number | bigint, Uint8Array>[] = [];
  private enumIds = new Map<Map<number | bigint, string>, number>();
  readonly enumBytes = (names: Map<number | bigint, string>): Map<number | bigint, Uint8Array> => this.enums[this.enumRef(names)];

  private enumRef(names: Map<number | bigint, string>): number {
    let i = this.enumIds.get(names);
    if (i === undefined) {
      i = this.enums.push(enumBytes(names)) - 1;
      this.enumIds.set(names, i);
    }
    return i;
  }

  private int(body: Body, read: IntRead, a: string): void {
    switch (read) {
      // Reads are composed from bytes into int32s (u32 and 64-bit halves as their int32 bit
      // patterns), so the common path of the digit writers stays in int32 arithmetic.
      case "u8": case "u16": return body.stmt(`p=wpos(out,p,${num(read, a)});`);
      case "i8": case "i16": case "i32": return body.stmt(`p=wi32(out,p,${num(read, a)});`);
      case "u32": return body.stmt(`p=wu32(out,p,${i32(a)});`);
      case "u64": return body.stmt(`p=wu64(out,p,${i32(`${a}+4`)},${i32(a)});`);
      case "i64": return body.stmt(`p=wi64(out,p,${i32(`${a}+4`)},${i32(a)});`);
      case "u128": case "i128": return body.stmt(`p=wbig(out,p,${num(read, a)});`);
    }
  }

  private bool(body: Body, e: string): void {
    body.stmt(`if(${e}!=0){out[p]=116;out[p+1]=114;out[p+2]=117;out[p+3]=101;p+=4;}else{out[p]=102;out[p+1]=97;out[p+2]=108;out[p+3]=115;out[p+4]=101;p+=5;}`);
  }

  /** Appends statements writing the JSON of `p` read at byte expression `base`. */
  value(body: Body, p: Plan, base: string): void {
    switch (p.k) {
      case "int": return this.int(body, p.read, at(base, p.off));
      case "bool": return this.bool(body, num(p.read, at(base, p.off)));
      case "float": return body.stmt(`p=wf(out,p,rf(u8,${at(base, p.off)},${p.size}));`);
      case "enum": return body.stmt(`p=we(out,p,J${this.enumRef(p.names)},${num(p.read, at(base, p.off))});`);
      case "str": return body.stmt(`p=ws(out,u8,${at(base, p.off)},${p.len},p);`);
      case "bits": {
        if (p.bool) return this.bool(body, bitsExpr(p, base));
        if (p.names) return body.stmt(`p=we(out,p,J${this.enumRef(p.names)},${bitsExpr(p, base)});`);
        const shift = p.bitOff % 8;
        // A 64-bit field's value that fits in 32 bits is printed from a number, no bigint.
        if (p.big && shift + p.bitSize > 32) return body.stmt(`p=wbig(out,p,${bitsExpr(p, base)});`);
        return body.stmt(`p=wi(out,p,${bitsExpr({ ...p, big: false }, base)});`);
      }
      case "object": {
        if (p.fields.length === 0) return body.constText("{}");
        p.fields.forEach((f, i) => {
          body.constText(`${i === 0 ? "{" : ","}${JSON.stringify(f.key)}:`);
          this.value(body, f.plan, base);
        });
        return body.constText("}");
      }
      case "array": {
        if (p.n === 0) return body.constText("[]");
        const slot = this.fns.length;
        this.fns.push(""); // reserve the slot before nested arrays take theirs
        const elem = new Body();
        this.value(elem, p.elem, `b+i*${p.stride}`);
        this.fns[slot] = `function A${slot}(u8,b,out,p){out[p++]=91;for(let i=0;i<${p.n};i++){if(i!==0)out[p++]=44;\n${elem.text()}\n}out[p]=93;return p+1;}`;
        return body.stmt(`p=A${slot}(u8,${at(base, p.off)},out,p);`);
      }
      default: {
        const never: never = p;
        throw new Error(`unhandled plan ${String(never)}`);
      }
    }
  }
}

/**
 * Builds a bytes-to-JSON-line writer for BTF type `typeId`: the fast path of `-j` output.
 * Lines are ASCII-fast: integers are written digit by digit (64-bit ones from two 32-bit
 * halves), printable ASCII strings copied byte by byte, field names stored as constants.
 *
 * @throws BtfError/DecodeError at build time like `createDecoder`; the returned function
 *   throws DecodeError when the record is too short or `outPos` is not a valid position.
 * @example
 *   const write = createJsonWriter(btf, eventTypeId);
 *   const out = new Uint8Array(1 << 16);
 *   let pos = write(record, 0, out, 0); // -1: flush out[0..pos) and write again
 *   process.stdout.write(out.subarray(0, pos)); // {"pid":42,"comm":"bash",...}\n
 */
export function createJsonWriter(btf: Btf, typeId: number): JsonWriter {
  const size = btf.sizeOf(typeId);
  const name = btf.typeName(typeId);
  const plan = planType(btf, typeId);
  const em = new WriterEmitter();
  const body = new Body();
  em.value(body, plan, "b");
  body.constBytes([10]);
  const max = maxBytes(plan, em.enumBytes);
  const src = [
    '"use strict";',
    ...em.enums.map((_, i) => `const J${i}=J[${i}];`),
    ...em.fns,
    `return function fill(u8,b,out,p){\n${body.text()}\nreturn p;};`,
  ].join("\n");
  // Only numbers and JSON-quoted names reach the source (see decode/compile.ts).
  const factory = new Function("wpos", "wi32", "wu32", "wi", "wu64", "wi64", "wbig", "wf", "we", "ws", "rbig", "rf", "bitsBig", "J", src) as (...args: unknown[]) => Fill;
  const fill = factory(jb.writePos, jb.writeI32, jb.writeU32, jb.writeInt, jb.writeU64, jb.writeI64, jb.writeBigint, jb.writeFloat, jb.writeEnum,
    jb.writeStr, jb.readBig, jb.readFloat, bitsBig, em.enums);

  let scratch: Uint8Array | undefined;
  // Reads index `bytes` itself: no DataView, no `.buffer` lookup (both cost more per call
  // than the rest of a small record's line).
  return (bytes, offset, out, pos) => {
    if (!(offset >= 0 && offset + size <= bytes.length && Math.floor(offset) === offset)) {
      throw new DecodeError(`record too short for ${name}: need ${size} bytes at offset ${offset}, have ${bytes.length}`);
    }
    if (pos >= 0 && pos + max <= out.length && (pos | 0) === pos) return fill(bytes, offset, out, pos);
    if (!(pos >= 0 && Math.floor(pos) === pos)) throw new DecodeError(`JSON output position ${pos} is not a non-negative integer`);
    if (pos >= out.length) return -1;
    // Near the end of `out`: write into scratch, then copy only if the whole line fits.
    scratch ??= new Uint8Array(max);
    const n = fill(bytes, offset, scratch, 0);
    if (pos + n > out.length) return -1;
    out.set(scratch.subarray(0, n), pos);
    return pos + n;
  };
}
