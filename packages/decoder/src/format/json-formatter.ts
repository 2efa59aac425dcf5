/**
 * `createJsonFormatter`: bytes straight to JSON text for one BTF type, compiled once
 * like `createDecoder` but without building the intermediate object. Its output is
 * exactly `formatJson(createDecoder(btf, id)(bytes))`.
 */
import type { Btf } from "../btf/btf.ts";
import { bindReader, type RawReader } from "../decode/bind-reader.ts";
import { at, bitsExpr, intExpr } from "../decode/compile.ts";
import { planType, type IntRead, type Plan } from "../decode/plan.ts";
import { bitsBig } from "../decode/readers.ts";
import { bigintText, enumJson, floatText, i64Text, strJson, u64Text } from "./json-helpers.ts";

/** Formats one record of a fixed type as a JSON text. */
export type JsonFormatter = (bytes: Uint8Array, offset?: number) => string;

function intJson(read: IntRead, a: string): string {
  switch (read) {
    case "u64": return `u64t(dv,${a})`;
    case "i64": return `i64t(dv,${a})`;
    case "u128": case "i128": return `bt(${intExpr(read, a)})`;
    default: return `(${intExpr(read, a)})`;
  }
}

class JsonEmitter {
  fns: string[] = [];
  enums: Map<number | bigint, string>[] = [];

  private enumRef(names: Map<number | bigint, string>): string {
    this.enums.push(new Map([...names].map(([k, v]) => [k, JSON.stringify(v)])));
    return `J${this.enums.length - 1}`;
  }

  expr(p: Plan, base: string): string {
    switch (p.k) {
      case "int": return intJson(p.read, at(base, p.off));
      case "bool": return `(${intExpr(p.read, at(base, p.off))}!=0?"true":"false")`;
      case "float": return `ft(dv.getFloat${p.size * 8}(${at(base, p.off)},true))`;
      case "enum": return `ej(${this.enumRef(p.names)},${intExpr(p.read, at(base, p.off))})`;
      case "str": return `sj(u8,${at(base, p.off)},${p.len})`;
      case "bits": {
        const e = bitsExpr(p, base);
        if (p.bool) return `(${e}!=0?"true":"false")`;
        if (p.names) return `ej(${this.enumRef(p.names)},${e})`;
        return p.big ? `bt(${e})` : `(${e})`;
      }
      case "object": {
        if (p.fields.length === 0) return '"{}"';
        const parts = p.fields.map((f, i) => `${JSON.stringify(`${i === 0 ? "{" : ","}${JSON.stringify(f.key)}:`)}+${this.expr(f.plan, base)}`);
        return `(${parts.join("+")}+"}")`;
      }
      case "array": {
        const slot = this.fns.length;
        this.fns.push("");
        const elem = this.expr(p.elem, `b+i*${p.stride}`);
        this.fns[slot] = `function A${slot}(dv,u8,b){let s="[";for(let i=0;i<${p.n};i++){if(i!==0)s+=",";s+=${elem};}return s+"]";}`;
        return `A${slot}(dv,u8,${at(base, p.off)})`;
      }
      default: {
        const never: never = p;
        throw new Error(`unhandled plan ${String(never)}`);
      }
    }
  }
}

/**
 * Builds a bytes-to-JSON formatter for BTF type `typeId`: the fast path of `-j` output.
 *
 * @throws BtfError/DecodeError at build time like `createDecoder`; the returned function
 *   throws DecodeError when the record is too short.
 * @example
 *   const toJson = createJsonFormatter(btf, eventTypeId);
 *   console.log(toJson(record)); // {"pid":42,"comm":"bash",...}
 */
export function createJsonFormatter(btf: Btf, typeId: number): JsonFormatter {
  const size = btf.sizeOf(typeId);
  const em = new JsonEmitter();
  const body = em.expr(planType(btf, typeId), "b");
  const src = [
    '"use strict";',
    ...em.enums.map((_, i) => `const J${i}=J[${i}];`),
    ...em.fns,
    `return function toJson(dv,u8,b){return ""+${body};};`,
  ].join("\n");
  // Only numbers and JSON-quoted names reach the source (see decode/compile.ts).
  const factory = new Function("u64t", "i64t", "bt", "ft", "sj", "ej", "bitsBig", "J", src) as (...args: unknown[]) => RawReader<string>;
  const read = factory(u64Text, i64Text, bigintText, floatText, strJson, enumJson, bitsBig, em.enums);
  return bindReader(read, size, btf.typeName(typeId));
}
