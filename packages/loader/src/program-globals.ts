/**
 * The globals a package lets its user set: the `.rodata`/`.bss`/`.data` variables its
 * metadata lists, placed by the object's BTF and ELF symbols, typed by BTF, and encoded
 * into the bytes written before load (range-checked by the decoder's `encodeValue`).
 */
import { createDecoder, encodeValue, globalVariables, type Btf, type DecodedValue, type Elf } from "@eunomia/decoder";
import { LOST_COUNTER } from "./lost-counter.ts";
import { PackageError } from "./package/package-error.ts";
import type { DataSectionVariable, PackageMeta } from "./package/types.ts";

/** What {@link PackageProgram.setGlobal} takes: integers as number, bigint or decimal/0x text. */
export type GlobalInput = string | number | bigint | boolean;

const DUMMY_PREFIX = "__eunomia_dummy";

/** One settable global of a package. */
export interface GlobalInfo {
  name: string;
  /** C spelling from the package, e.g. "unsigned long long", "char[16]". */
  cType: string;
  /** Data section, e.g. ".rodata". */
  section: string;
  offset: number;
  size: number;
  /** BTF type id of the variable. */
  typeId: number;
  /** `cmdarg.help` or the doc comment, if any. */
  description?: string;
  /** The package's default (`cmdarg.default` or `value`), decoded; undefined when it has none. */
  default?: DecodedValue;
  /** What start() will write: the value set, else the default, else the object's initial value. */
  value: DecodedValue;
}

/**
 * A global's value was rejected: unknown name, wrong type or out of range. The message
 * is one line naming the global, its C type and the value.
 */
export class GlobalValueError extends Error {
  override name = "GlobalValueError";
  /** The global's name. */
  readonly global: string;
  /** Its C type, when the global exists. */
  readonly cType?: string;

  constructor(global: string, message: string, options: { cType?: string; cause?: unknown } = {}) {
    super(`global ${global}: ${message}`, { cause: options.cause });
    this.global = global;
    if (options.cType !== undefined) this.cType = options.cType;
  }
}

/** A global with its current bytes (internal state of a PackageProgram). */
export interface GlobalSlot {
  info: Omit<GlobalInfo, "value" | "default">;
  decode: (bytes: Uint8Array) => DecodedValue;
  /** The object's own initial bytes (zeros for .bss). */
  initial: Uint8Array;
  defaultBytes?: Uint8Array;
  /** Set by setGlobal; written at start together with defaults. */
  setBytes?: Uint8Array;
}

function packageDefault(v: DataSectionVariable): GlobalInput | undefined {
  const d = v.cmdarg?.default ?? v.value;
  return typeof d === "string" || typeof d === "number" || typeof d === "boolean" ? d : undefined;
}

function initialBytes(elf: Elf, section: string, offset: number, size: number): Uint8Array {
  const data = elf.section(section)?.data;
  return data && data.length >= offset + size ? data.slice(offset, offset + size) : new Uint8Array(size);
}

/**
 * The settable globals of a package, in metadata order. Pure.
 * Throws {@link PackageError} when the metadata names a variable the object lacks or a
 * default that does not fit the variable's type.
 */
export function programGlobals(meta: PackageMeta, elf: Elf, btf: Btf): GlobalSlot[] {
  const placed = globalVariables(elf, btf);
  const slots: GlobalSlot[] = [];
  for (const section of meta.bpf_skel.data_sections ?? []) {
    for (const v of section.variables ?? []) {
      if (v.name.startsWith(DUMMY_PREFIX) || v.name === LOST_COUNTER) continue;
      const where = placed.find((p) => p.section === section.name && p.name === v.name);
      if (!where) throw new PackageError(`meta names variable ${v.name} in ${section.name}, but the object has no such variable`);
      const read = createDecoder(btf, where.typeId);
      const info = {
        name: v.name, cType: v.type, section: section.name, offset: where.offset, size: where.size, typeId: where.typeId,
        ...(v.cmdarg?.help ?? v.description ? { description: v.cmdarg?.help ?? v.description } : {}),
      };
      const slot: GlobalSlot = { info, decode: (b) => read(b), initial: initialBytes(elf, section.name, where.offset, where.size) };
      const d = packageDefault(v);
      if (d !== undefined) {
        try {
          slot.defaultBytes = encodeValue(btf, where.typeId, d);
        } catch (cause) {
          throw new PackageError(`default of ${v.name} does not fit ${v.type} (${(cause as Error).message})`, { cause });
        }
      }
      slots.push(slot);
    }
  }
  return slots;
}

/** The public view of a slot. */
export function globalInfo(slot: GlobalSlot): GlobalInfo {
  const current = slot.setBytes ?? slot.defaultBytes ?? slot.initial;
  return {
    ...slot.info,
    ...(slot.defaultBytes ? { default: slot.decode(slot.defaultBytes) } : {}),
    value: slot.decode(current),
  };
}

/** Encodes `value` for `slot`; throws {@link GlobalValueError}. */
export function encodeGlobal(btf: Btf, slot: GlobalSlot, value: GlobalInput): Uint8Array {
  const kind = typeof value;
  if (kind !== "string" && kind !== "number" && kind !== "bigint" && kind !== "boolean") {
    throw new GlobalValueError(slot.info.name, `expected a string, number, bigint or boolean, not ${value === null ? "null" : kind}`, { cType: slot.info.cType });
  }
  try {
    return encodeValue(btf, slot.info.typeId, value);
  } catch (cause) {
    throw new GlobalValueError(slot.info.name, (cause as Error).message, { cType: slot.info.cType, cause });
  }
}
