/**
 * BTF type model: one discriminated union over every BTF kind the kernel defines.
 * Type id 0 is `void` and never appears in `Btf.types`; ids index `Btf.types` directly
 * (types[0] is a `{ kind: "void" }` placeholder so that `types[id]` works).
 */

export type BtfKind =
  | "void" | "int" | "ptr" | "array" | "struct" | "union" | "enum" | "fwd" | "typedef"
  | "volatile" | "const" | "restrict" | "func" | "func_proto" | "var" | "datasec"
  | "float" | "decl_tag" | "type_tag" | "enum64";

/** A struct/union member. `bitOffset` is from the start of the parent; `bitSize` is 0 unless a bitfield. */
export interface BtfMember { name: string; typeId: number; bitOffset: number; bitSize: number }
export interface BtfEnumValue { name: string; value: bigint }
export interface BtfParam { name: string; typeId: number }
export interface BtfVarSecInfo { typeId: number; offset: number; size: number }

export type BtfType =
  | { kind: "void"; id: 0; name: "" }
  | { kind: "int"; id: number; name: string; size: number; signed: boolean; char: boolean; bool: boolean; bits: number; bitOffset: number }
  | { kind: "ptr"; id: number; name: string; typeId: number }
  | { kind: "array"; id: number; name: string; elemTypeId: number; indexTypeId: number; length: number }
  | { kind: "struct" | "union"; id: number; name: string; size: number; members: BtfMember[] }
  | { kind: "enum"; id: number; name: string; size: number; signed: boolean; values: BtfEnumValue[] }
  | { kind: "enum64"; id: number; name: string; size: number; signed: boolean; values: BtfEnumValue[] }
  | { kind: "fwd"; id: number; name: string; union: boolean }
  | { kind: "typedef" | "volatile" | "const" | "restrict" | "type_tag"; id: number; name: string; typeId: number }
  | { kind: "func"; id: number; name: string; typeId: number; linkage: number }
  | { kind: "func_proto"; id: number; name: string; returnTypeId: number; params: BtfParam[] }
  | { kind: "var"; id: number; name: string; typeId: number; linkage: number }
  | { kind: "datasec"; id: number; name: string; size: number; vars: BtfVarSecInfo[] }
  | { kind: "float"; id: number; name: string; size: number }
  | { kind: "decl_tag"; id: number; name: string; typeId: number; componentIdx: number };
