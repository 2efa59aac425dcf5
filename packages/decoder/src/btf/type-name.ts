/**
 * Spells a BTF type the way C (and the original eunomia-bpf metadata) writes it:
 * "unsigned int", "char[16]", "struct event *", "int[4][2]", "const volatile pid_t".
 */
import { BtfError } from "../errors.ts";
import type { BtfType } from "./types.ts";

/** Options of `typeName`. */
export interface TypeNameOptions {
  /** Keep top-level const/volatile/restrict (default true). */
  qualifiers?: boolean;
}

/** C spelling of type `id`; typedef names are kept, not resolved. */
export function typeName(types: readonly BtfType[], id: number, opts: TypeNameOptions = {}): string {
  return spell(types, id, "", opts.qualifiers ?? true, 0);
}

/** Joins a base type with the declarator built so far: "int" + "[4]", "char" + "**". */
function withDeclarator(base: string, inner: string): string {
  if (inner === "") return base;
  return inner.startsWith("[") ? base + inner : `${base} ${inner}`;
}

/** Spells type `id` around the declarator `inner` (what C writes between base type and name). */
function spell(types: readonly BtfType[], id: number, inner: string, qualifiers: boolean, depth: number): string {
  if (depth > types.length) throw new BtfError(`bad BTF: type ${id} is part of a reference loop`);
  const t = types[id];
  if (t === undefined) throw new BtfError(`BTF type id ${id} out of range (0..${types.length - 1})`);
  const next = (target: number, decl: string): string => spell(types, target, decl, qualifiers, depth + 1);
  switch (t.kind) {
    case "void":
      return withDeclarator("void", inner);
    case "int":
      return withDeclarator(t.bool || t.name === "_Bool" ? "bool" : t.name, inner);
    case "float": case "typedef":
      return withDeclarator(t.name, inner);
    case "struct": case "union":
      return withDeclarator(`${t.kind} ${t.name || "{...}"}`, inner);
    case "enum": case "enum64":
      return withDeclarator(`enum ${t.name || "{...}"}`, inner);
    case "fwd":
      return withDeclarator(`${t.union ? "union" : "struct"} ${t.name}`, inner);
    case "ptr":
      // "* const" for a qualified pointer, "**" for pointer to pointer.
      return next(t.typeId, /^[a-z]/.test(inner) ? `* ${inner}` : `*${inner}`);
    case "array":
      return next(t.elemTypeId, `${inner.startsWith("*") ? `(${inner})` : inner}[${t.length}]`);
    case "const": case "volatile": case "restrict": {
      // Top level = nothing but array brackets outside us; qualifiers there describe the object.
      if (!qualifiers && (inner === "" || inner.startsWith("["))) return next(t.typeId, inner);
      if (pointee(types, t.typeId)?.kind === "ptr") return next(t.typeId, inner ? `${t.kind} ${inner}` : t.kind);
      return `${t.kind} ${next(t.typeId, inner)}`;
    }
    case "type_tag": case "var": case "decl_tag":
      return next(t.typeId, inner);
    case "func_proto": {
      const params = t.params.map((p) => (p.typeId === 0 && p.name === "" ? "..." : next(p.typeId, "")));
      const decl = inner === "" ? "" : /^\w+$/.test(inner) ? inner : `(${inner})`;
      return `${next(t.returnTypeId, "")} ${decl}(${params.join(", ") || "void"})`;
    }
    case "func":
      return next(t.typeId, t.name);
    case "datasec":
      return t.name;
    default: {
      const never: never = t;
      throw new BtfError(`unhandled BTF type ${String(never)}`);
    }
  }
}

/** The type a qualifier applies to, skipping further qualifiers and type tags. */
function pointee(types: readonly BtfType[], id: number): BtfType | undefined {
  for (let i = 0; i <= types.length; i++) {
    const t = types[id];
    if (t === undefined) return undefined;
    if (t.kind !== "const" && t.kind !== "volatile" && t.kind !== "restrict" && t.kind !== "type_tag") return t;
    id = t.typeId;
  }
  return undefined;
}
