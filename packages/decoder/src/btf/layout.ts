/**
 * Size and alignment of BTF types as clang lays them out for the BPF target
 * (pointers are 8 bytes; __int128 is 16-byte aligned).
 */
import { BtfError } from "../errors.ts";
import type { BtfType } from "./types.ts";

const PTR_SIZE = 8;
const MAX_SIZE = 0xffffffff;

/** Byte size of type `id`, following typedefs/qualifiers/vars and multiplying array lengths. */
export function sizeOf(types: readonly BtfType[], id: number): number {
  let mult = 1;
  for (let steps = 0; steps <= types.length; steps++) {
    const t = at(types, id);
    switch (t.kind) {
      case "int": case "float": case "enum": case "enum64": case "struct": case "union": case "datasec":
        return checked(mult * t.size, id);
      case "ptr":
        return checked(mult * PTR_SIZE, id);
      case "array":
        mult *= t.length;
        id = t.elemTypeId;
        break;
      case "typedef": case "volatile": case "const": case "restrict": case "type_tag": case "var":
        id = t.typeId;
        break;
      case "void": case "fwd": case "func": case "func_proto": case "decl_tag":
        throw new BtfError(`BTF type ${t.id} (${t.kind}${t.name ? ` '${t.name}'` : ""}) has no size`);
      default: {
        const never: never = t;
        throw new BtfError(`unhandled BTF type ${String(never)}`);
      }
    }
  }
  throw new BtfError(`bad BTF: type ${id} is part of a reference loop`);
}

/** Alignment in bytes of type `id`; 1 for structs whose members show they are packed. */
export function alignOf(types: readonly BtfType[], id: number, depth = 0): number {
  if (depth > types.length) throw new BtfError(`bad BTF: type ${id} is part of a reference loop`);
  const t = at(types, id);
  switch (t.kind) {
    case "int": case "float": case "enum": case "enum64":
      return Math.min(t.size, 16) || 1;
    case "ptr":
      return PTR_SIZE;
    case "array":
      return alignOf(types, t.elemTypeId, depth + 1);
    case "typedef": case "volatile": case "const": case "restrict": case "type_tag": case "var":
      return alignOf(types, t.typeId, depth + 1);
    case "struct": case "union": {
      let align = 1;
      for (const m of t.members) {
        const a = alignOf(types, m.typeId, depth + 1);
        // A plain member off its natural alignment means the struct was packed.
        if (m.bitSize === 0 && m.bitOffset % (a * 8) !== 0) return 1;
        align = Math.max(align, a);
      }
      return t.size % align === 0 ? align : 1;
    }
    case "datasec":
      return 1;
    case "void": case "fwd": case "func": case "func_proto": case "decl_tag":
      throw new BtfError(`BTF type ${t.id} (${t.kind}${t.name ? ` '${t.name}'` : ""}) has no alignment`);
    default: {
      const never: never = t;
      throw new BtfError(`unhandled BTF type ${String(never)}`);
    }
  }
}

function at(types: readonly BtfType[], id: number): BtfType {
  const t = types[id];
  if (t === undefined) throw new BtfError(`BTF type id ${id} out of range (0..${types.length - 1})`);
  return t;
}

function checked(size: number, id: number): number {
  if (size > MAX_SIZE) throw new BtfError(`BTF type ${id} is too large (${size} bytes)`);
  return size;
}
