/**
 * `Btf`: the parsed type table of one object, with lookup by id and name, resolution
 * through typedefs/qualifiers, layout (size/alignment) and C spelling of types.
 */
import { BtfError } from "../errors.ts";
import { alignOf, sizeOf } from "./layout.ts";
import { typeName, type TypeNameOptions } from "./type-name.ts";
import type { BtfKind, BtfType } from "./types.ts";

/** Kinds that `resolve` looks through. */
const TRANSPARENT = new Set<BtfKind>(["typedef", "const", "volatile", "restrict", "type_tag"]);

/**
 * A parsed BTF type table. `types[id]` is the type with that id; `types[0]` is void.
 *
 * @example
 *   const ev = btf.find("event", "struct");
 *   btf.typeName(ev!.id); // "struct event"
 */
export class Btf {
  #byName: Map<string, BtfType[]> | undefined;

  constructor(readonly types: BtfType[]) {}

  /** The type with this id. @throws BtfError when the id does not exist. */
  get(id: number): BtfType {
    const t = Number.isInteger(id) ? this.types[id] : undefined;
    if (t === undefined) throw new BtfError(`BTF type id ${id} out of range (0..${this.types.length - 1})`);
    return t;
  }

  /** The first type with this name (and kind, if given), or undefined. */
  find(name: string, kind?: BtfKind): BtfType | undefined {
    this.#byName ??= indexByName(this.types);
    const list = this.#byName.get(name);
    if (!list) return undefined;
    return kind === undefined ? list[0] : list.find((t) => t.kind === kind);
  }

  /** Follows typedef/const/volatile/restrict/type_tag to the underlying type. @throws BtfError on a loop. */
  resolve(id: number): BtfType {
    let t = this.get(id);
    for (let i = 0; TRANSPARENT.has(t.kind); i++) {
      if (i > this.types.length) throw new BtfError(`bad BTF: type ${id} is part of a reference loop`);
      t = this.get((t as { typeId: number }).typeId);
    }
    return t;
  }

  /** Size in bytes. @throws BtfError for void, functions and forward declarations. */
  sizeOf(id: number): number {
    return sizeOf(this.types, id);
  }

  /** Alignment in bytes for the BPF target. @throws BtfError for types without one. */
  alignOf(id: number): number {
    return alignOf(this.types, id);
  }

  /** C spelling of the type, e.g. "unsigned long long", "char[16]", "struct event *". */
  typeName(id: number, opts?: TypeNameOptions): string {
    return typeName(this.types, id, opts);
  }
}

function indexByName(types: readonly BtfType[]): Map<string, BtfType[]> {
  const map = new Map<string, BtfType[]>();
  for (const t of types) {
    if (t.name === "") continue;
    const list = map.get(t.name);
    if (list) list.push(t);
    else map.set(t.name, [t]);
  }
  return map;
}
