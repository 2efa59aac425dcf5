/**
 * Turns a BTF type into a decode plan: a small tree that says, for every leaf, how to
 * read it and at which byte/bit offset. Layout is validated here (every member must lie
 * inside its parent) so the hot path can read without bounds checks.
 */
import type { Btf } from "../btf/btf.ts";
import type { BtfType } from "../btf/types.ts";
import { DecodeError } from "../errors.ts";

/** How a whole-byte integer leaf is read. */
export type IntRead = "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "u64" | "i64" | "u128" | "i128";

export type Plan =
  | { k: "int"; read: IntRead; off: number }
  | { k: "bool"; read: IntRead; off: number }
  | { k: "float"; size: 2 | 4 | 8; off: number }
  | { k: "enum"; read: IntRead; off: number; names: Map<number | bigint, string> }
  /** `big`: the field's type is 8+ bytes, so the value is a bigint; `names`: an enum bitfield. */
  | { k: "bits"; bitOff: number; bitSize: number; signed: boolean; big: boolean; bool: boolean; names?: Map<number | bigint, string> }
  | { k: "str"; off: number; len: number }
  | { k: "array"; off: number; n: number; stride: number; elem: Plan }
  | { k: "object"; fields: { key: string; plan: Plan }[] };

/** Builds the plan of type `id` placed at byte `off` (relative to the record start). */
export function planType(btf: Btf, id: number, off = 0): Plan {
  return new Planner(btf).type(id, off, new Set());
}

function intRead(size: number, signed: boolean, what: () => string): IntRead {
  switch (size) {
    case 1: return signed ? "i8" : "u8";
    case 2: return signed ? "i16" : "u16";
    case 4: return signed ? "i32" : "u32";
    case 8: return signed ? "i64" : "u64";
    case 16: return signed ? "i128" : "u128";
    default: throw new DecodeError(`cannot decode ${what()}: integer size ${size} is not 1, 2, 4, 8 or 16`);
  }
}

/** Enumerator names keyed the way the reader will produce the value (number up to 4 bytes). */
function enumNames(t: Extract<BtfType, { kind: "enum" | "enum64" }>): Map<number | bigint, string> {
  const bits = t.size * 8;
  const names = new Map<number | bigint, string>();
  for (const v of t.values) {
    const norm = t.signed ? BigInt.asIntN(bits, v.value) : BigInt.asUintN(bits, v.value);
    const key = t.size <= 4 ? Number(norm) : norm;
    if (!names.has(key)) names.set(key, v.name);
  }
  return names;
}


class Planner {
  constructor(private btf: Btf) {}

  /**
   * Only plain `char` arrays are text, as in the original ecli: `unsigned char[4]` and
   * `signed char[4]` (and typedefs such as `__u8[16]`) are arrays of numbers. Skips only
   * qualifiers and type tags, not typedefs.
   */
  private isCharElem(id: number): boolean {
    let t = this.btf.get(id);
    while (t.kind === "const" || t.kind === "volatile" || t.kind === "restrict" || t.kind === "type_tag") t = this.btf.get(t.typeId);
    return t.kind === "int" && t.size === 1 && !t.bool && t.name === "char";
  }

  type(id: number, off: number, open: Set<number>): Plan {
    const t = this.btf.resolve(id);
    const what = () => this.btf.typeName(id);
    switch (t.kind) {
      case "int":
        if (t.bitOffset !== 0 || (t.bits !== t.size * 8 && !t.bool)) {
          return this.bits(t.id, off * 8 + t.bitOffset, t.bits, what());
        }
        return { k: t.bool ? "bool" : "int", read: intRead(t.size, t.signed, what), off };
      case "enum": case "enum64":
        return { k: "enum", read: intRead(t.size, t.signed, what), off, names: enumNames(t) };
      case "float":
        if (t.size !== 4 && t.size !== 8 && !(t.size === 2 && "getFloat16" in DataView.prototype)) {
          throw new DecodeError(`cannot decode ${what()}: ${t.size}-byte floats are not supported`);
        }
        return { k: "float", size: t.size, off };
      case "ptr":
        return { k: "int", read: "u64", off };
      case "array": {
        if (this.isCharElem(t.elemTypeId)) return { k: "str", off, len: t.length };
        const stride = t.length === 0 ? 0 : this.btf.sizeOf(t.elemTypeId);
        return { k: "array", off, n: t.length, stride, elem: this.type(t.elemTypeId, 0, open) };
      }
      case "struct": case "union": {
        if (open.has(t.id)) throw new DecodeError(`cannot decode ${what()}: it contains itself`);
        open.add(t.id);
        const fields: { key: string; plan: Plan }[] = [];
        this.members(t, off, fields, open);
        open.delete(t.id);
        return { k: "object", fields };
      }
      case "var":
        return this.type(t.typeId, off, open);
      case "datasec": {
        // Object files leave datasec offsets and sizes to the loader; only a laid-out one decodes.
        const fields = t.vars.map((v) => {
          const name = this.btf.get(v.typeId).name;
          const size = this.btf.sizeOf(v.typeId);
          if (v.offset + size > t.size) {
            throw new DecodeError(`cannot decode section ${t.name}: variable '${name}' at ${v.offset}+${size} lies outside its ${t.size} bytes`);
          }
          return { key: name, plan: this.type(v.typeId, off + v.offset, open) };
        });
        return { k: "object", fields };
      }
      case "void": case "fwd": case "func": case "func_proto": case "decl_tag":
        throw new DecodeError(`cannot decode a value of type ${what()} (${t.kind})`);
      case "typedef": case "const": case "volatile": case "restrict": case "type_tag":
        throw new DecodeError(`cannot decode ${what()}: unresolved ${t.kind}`);
      default: {
        const never: never = t;
        throw new DecodeError(`unhandled BTF type ${String(never)}`);
      }
    }
  }

  /** Appends the members of `t` (at byte `off`) to `fields`, flattening anonymous structs/unions. */
  private members(t: Extract<BtfType, { kind: "struct" | "union" }>, off: number, fields: { key: string; plan: Plan }[], open: Set<number>): void {
    const what = `${t.kind} ${t.name || "{...}"}`;
    for (const m of t.members) {
      const mt = this.btf.resolve(m.typeId);
      if (m.bitSize > 0) {
        if (m.bitOffset + m.bitSize > t.size * 8) throw new DecodeError(`cannot decode ${what}: bitfield '${m.name}' at bit ${m.bitOffset} lies outside its ${t.size} bytes`);
        if (m.name !== "") fields.push({ key: m.name, plan: this.bits(m.typeId, off * 8 + m.bitOffset, m.bitSize, what) });
        continue;
      }
      const size = this.btf.sizeOf(m.typeId);
      if (m.bitOffset % 8 !== 0 || m.bitOffset / 8 + size > t.size) {
        throw new DecodeError(`cannot decode ${what}: member '${m.name}' at bit ${m.bitOffset} (${size} bytes) lies outside its ${t.size} bytes`);
      }
      const at = off + m.bitOffset / 8;
      if (m.name === "") {
        // C puts the members of an anonymous struct/union straight into the parent.
        if (mt.kind === "struct" || mt.kind === "union") {
          if (open.has(mt.id)) throw new DecodeError(`cannot decode ${what}: it contains itself`);
          open.add(mt.id);
          this.members(mt, at, fields, open);
          open.delete(mt.id);
        }
        continue;
      }
      fields.push({ key: m.name, plan: this.type(m.typeId, at, open) });
    }
  }

  /** A bitfield of integer/enum/bool type `id`, `bitSize` bits at absolute bit `bitOff`. */
  private bits(id: number, bitOff: number, bitSize: number, where: string): Plan {
    const t = this.btf.resolve(id);
    if (t.kind === "int") {
      if (bitSize > t.size * 8) throw new DecodeError(`cannot decode ${where}: ${bitSize}-bit field of ${t.size}-byte ${t.name}`);
      return { k: "bits", bitOff, bitSize, signed: t.signed, big: t.size >= 8, bool: t.bool };
    }
    if (t.kind === "enum" || t.kind === "enum64") {
      if (bitSize > t.size * 8) throw new DecodeError(`cannot decode ${where}: ${bitSize}-bit field of ${t.size}-byte enum`);
      return { k: "bits", bitOff, bitSize, signed: t.signed, big: t.size >= 8, bool: false, names: enumNames(t) };
    }
    throw new DecodeError(`cannot decode ${where}: bitfield of ${this.btf.typeName(id)}`);
  }
}
