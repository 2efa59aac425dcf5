/**
 * Compiles a decode plan into one JS function (via `new Function`) whose body is a
 * nested object literal of DataView reads at constant offsets: the fastest shape for
 * the JS engine, built once per type. Only numbers and JSON-quoted keys reach the source.
 */
import { bitsBig, en, str } from "./readers.ts";
import type { IntRead, Plan } from "./plan.ts";
import type { DecodedValue } from "./value.ts";

/** A compiled reader: `b` is the absolute byte offset of the value inside `dv`/`u8`'s buffer. */
export type CompiledReader = (dv: DataView, u8: Uint8Array, b: number) => DecodedValue;

/** `base+off` as source, leaving out `+0`. */
export const at = (base: string, off: number): string => (off === 0 ? base : `${base}+${off}`);

/** JS source reading integer `read` at byte expression `a`. */
export function intExpr(read: IntRead, a: string): string {
  switch (read) {
    case "u8": return `u8[${a}]`;
    case "i8": return `dv.getInt8(${a})`;
    case "u16": return `dv.getUint16(${a},true)`;
    case "i16": return `dv.getInt16(${a},true)`;
    case "u32": return `dv.getUint32(${a},true)`;
    case "i32": return `dv.getInt32(${a},true)`;
    case "u64": return `dv.getBigUint64(${a},true)`;
    case "i64": return `dv.getBigInt64(${a},true)`;
    // 128-bit: high half shifted over the unsigned low half.
    case "u128": return `(dv.getBigUint64(${a}+8,true)<<64n|dv.getBigUint64(${a},true))`;
    case "i128": return `(dv.getBigInt64(${a}+8,true)<<64n|dv.getBigUint64(${a},true))`;
    default: {
      const never: never = read;
      throw new Error(`unhandled read ${String(never)}`);
    }
  }
}

export const isBig = (read: IntRead): boolean => read.endsWith("64") || read.endsWith("128");

class Emitter {
  fns: string[] = [];
  enums: Map<number | bigint, string>[] = [];

  private enumRef(names: Map<number | bigint, string>): string {
    this.enums.push(names);
    return `E${this.enums.length - 1}`;
  }

  expr(p: Plan, base: string): string {
    switch (p.k) {
      case "int": return intExpr(p.read, at(base, p.off));
      case "bool": return `(${intExpr(p.read, at(base, p.off))}!==${isBig(p.read) ? "0n" : "0"})`;
      case "float": return `dv.getFloat${p.size * 8}(${at(base, p.off)},true)`;
      case "enum": return `en(${this.enumRef(p.names)},${intExpr(p.read, at(base, p.off))})`;
      case "str": return `str(u8,${at(base, p.off)},${p.len})`;
      case "bits": return this.bits(p, base);
      case "object":
        return `{${p.fields.map((f) => `${f.key === "__proto__" ? '["__proto__"]' : JSON.stringify(f.key)}:${this.expr(f.plan, base)}`).join(",")}}`;
      case "array": {
        const name = `A${this.fns.length}`;
        this.fns.push(""); // reserve the slot before nested arrays take theirs
        const elem = this.expr(p.elem, `b+i*${p.stride}`);
        this.fns[Number(name.slice(1))] =
          `function ${name}(dv,u8,b){const r=new Array(${p.n});for(let i=0;i<${p.n};i++)r[i]=${elem};return r;}`;
        return `${name}(dv,u8,${at(base, p.off)})`;
      }
      default: {
        const never: never = p;
        throw new Error(`unhandled plan ${String(never)}`);
      }
    }
  }

  private bits(p: Extract<Plan, { k: "bits" }>, base: string): string {
    const e = bitsExpr(p, base);
    if (p.bool) return `(${e}!==${p.big ? "0n" : "0"})`;
    if (p.names) return `en(${this.enumRef(p.names)},${e})`;
    return e;
  }
}

/** Source of a bitfield's integer value: a number, or a bigint when `p.big`. */
export function bitsExpr(p: Extract<Plan, { k: "bits" }>, base: string): string {
  const byte = Math.floor(p.bitOff / 8);
  const shift = p.bitOff % 8;
  const span = Math.ceil((shift + p.bitSize) / 8);
  if (shift + p.bitSize <= 32) {
    const word = Array.from({ length: span }, (_, i) => (i === 0 ? `u8[${at(base, byte)}]` : `u8[${at(base, byte + i)}]<<${8 * i}`)).join("|");
    // Shift the field to the top of 32 bits, then back down: >> sign-extends, >>> does not.
    const e = `((${word})<<${32 - shift - p.bitSize}${p.signed ? ">>" : ">>>"}${32 - p.bitSize})`;
    return p.big ? `BigInt(${e})` : e;
  }
  const e = `bitsBig(u8,${at(base, byte)},${span},${shift},${p.bitSize},${p.signed})`;
  return p.big ? e : `Number(${e})`;
}

/** Compiles `plan` into a reader function. */
export function compilePlan(plan: Plan): CompiledReader {
  const em = new Emitter();
  const body = em.expr(plan, "b");
  const src = [
    '"use strict";',
    ...em.enums.map((_, i) => `const E${i}=E[${i}];`),
    ...em.fns,
    `return function decode(dv,u8,b){return ${body};};`,
  ].join("\n");
  const factory = new Function("str", "en", "bitsBig", "E", src) as (...args: unknown[]) => CompiledReader;
  return factory(str, en, bitsBig, em.enums);
}
