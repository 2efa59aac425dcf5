/**
 * Function symbols of an executable or shared object (its `.symtab`, its `.dynsym`, and
 * optionally the `.symtab` of a separate debug file), looked up by link-time virtual
 * address or by the runtime address of a process that maps the file — PIE executables
 * and shared objects included, through the mapping's file offset and the PT_LOAD segments.
 */
import { PT_LOAD, type Elf, type ElfSymbol } from "../elf.ts";

/** The function an address falls in. */
export interface ElfFunctionMatch {
  /** The symbol name, e.g. "main". */
  name: string;
  /** The symbol's link-time virtual address (st_value). */
  address: bigint;
  /** How far the looked-up address lies past the symbol's start. */
  offset: number;
  /** st_size (0 when the symbol does not say). */
  size: bigint;
}

/** The part of a `/proc/<pid>/maps` entry that places a file in memory. */
export interface FileMapping {
  /** Runtime address of the mapping's first byte. */
  start: bigint;
  /** File offset of that byte. */
  offset: bigint;
}

const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;
const SHT_NOTE = 7;
const NT_GNU_BUILD_ID = 3;
/** Ranks of st_bind when several names share an address: GLOBAL, WEAK, then LOCAL. */
const BIND_RANK: Record<number, number> = { 1: 0, 2: 1, 0: 2 };

interface Entry { name: string; address: bigint; size: bigint; rank: number[] }

function rankOf(sym: ElfSymbol): number[] {
  const underscores = /^_*/.exec(sym.name)![0].length;
  return [sym.size > 0n ? 0 : 1, underscores, BIND_RANK[sym.bind] ?? 3];
}

function better(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

/**
 * The GNU build id of an ELF (from its `NT_GNU_BUILD_ID` note) as lowercase hex, or
 * undefined when it has none. Debuggers find separate debug files by it, under
 * `/usr/lib/debug/.build-id/<first byte>/<rest>.debug`.
 */
export function elfBuildId(elf: Elf): string | undefined {
  for (const sec of elf.sections) {
    if (sec.type !== SHT_NOTE) continue;
    const d = sec.data;
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    for (let at = 0; at + 12 <= d.length;) {
      const namesz = dv.getUint32(at, true);
      const descsz = dv.getUint32(at + 4, true);
      const type = dv.getUint32(at + 8, true);
      const nameAt = at + 12;
      const descAt = nameAt + ((namesz + 3) & ~3);
      const next = descAt + ((descsz + 3) & ~3);
      if (descAt + descsz > d.length || next <= at) break;
      const isGnu = namesz === 4 && d[nameAt] === 0x47 && d[nameAt + 1] === 0x4e && d[nameAt + 2] === 0x55 && d[nameAt + 3] === 0;
      if (isGnu && type === NT_GNU_BUILD_ID && descsz > 0) {
        return Array.from(d.subarray(descAt, descAt + descsz), (b) => b.toString(16).padStart(2, "0")).join("");
      }
      at = next;
    }
  }
  return undefined;
}

/**
 * A sorted table of an ELF's function symbols. Where several names share an address,
 * one is kept: a sized symbol, then the name with the fewest leading underscores
 * (`nanosleep` over `__nanosleep`), then GLOBAL over WEAK over LOCAL binding.
 *
 * @example
 *   const table = ElfSymbolTable.fromElf(parseElf(await Bun.file("/usr/bin/prog").bytes()));
 *   // a runtime address of a process, with its /proc/<pid>/maps entry for the file:
 *   table.lookupRuntime(0x55d0c8a01139n, { start: 0x55d0c8a01000n, offset: 0x1000n });
 *   // -> { name: "main", offset: 9, ... }
 */
export class ElfSymbolTable {
  readonly #entries: Entry[];
  readonly #segments: Elf["segments"];
  /** The GNU build id of the ELF the table was built from, if it has one. */
  readonly buildId: string | undefined;

  private constructor(entries: Entry[], segments: Elf["segments"], buildId: string | undefined) {
    this.#entries = entries;
    this.#segments = segments;
    this.buildId = buildId;
  }

  /**
   * Collects the defined FUNC (and GNU_IFUNC) symbols of `elf`'s `.symtab` and `.dynsym`,
   * plus the `.symtab` of `debug` — a separate debug file of the same build (its symbol
   * addresses match `elf`'s), for stripped libraries. Address translation uses `elf`'s
   * program headers.
   */
  static fromElf(elf: Elf, debug?: Elf): ElfSymbolTable {
    const all = [...elf.symbols, ...elf.dynamicSymbols, ...(debug?.symbols ?? [])];
    const byAddress = new Map<bigint, Entry>();
    for (const sym of all) {
      if ((sym.type !== STT_FUNC && sym.type !== STT_GNU_IFUNC) || sym.sectionIndex === 0 || sym.name === "") continue;
      const rank = rankOf(sym);
      const held = byAddress.get(sym.value);
      if (!held || better(rank, held.rank)) byAddress.set(sym.value, { name: sym.name, address: sym.value, size: sym.size, rank });
    }
    const entries = [...byAddress.values()].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    return new ElfSymbolTable(entries, elf.segments, elfBuildId(elf));
  }

  /** How many distinct function addresses the table holds. */
  get size(): number {
    return this.#entries.length;
  }

  /**
   * The function containing link-time virtual address `vaddr`: the nearest symbol at or
   * below it, provided the address is within its st_size (any distance when the size is 0).
   */
  lookupVirtual(vaddr: bigint): ElfFunctionMatch | undefined {
    const entries = this.#entries;
    let lo = 0;
    let hi = entries.length - 1;
    if (hi < 0 || vaddr < entries[0].address) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (entries[mid].address <= vaddr) lo = mid;
      else hi = mid - 1;
    }
    const e = entries[lo];
    const offset = vaddr - e.address;
    if (e.size > 0n && offset >= e.size) return undefined;
    return { name: e.name, address: e.address, offset: Number(offset), size: e.size };
  }

  /** The link-time virtual address of file offset `fileOffset`, through the PT_LOAD segment holding it. */
  virtualAddress(fileOffset: bigint): bigint | undefined {
    for (const seg of this.#segments) {
      if (seg.type === PT_LOAD && fileOffset >= seg.offset && fileOffset < seg.offset + seg.filesz) {
        return fileOffset - seg.offset + seg.vaddr;
      }
    }
    return undefined;
  }

  /**
   * The function containing runtime `address` of a process that maps this file at
   * `mapping` (from `/proc/<pid>/maps`): address → file offset → virtual address → symbol.
   */
  lookupRuntime(address: bigint, mapping: FileMapping): ElfFunctionMatch | undefined {
    if (address < mapping.start) return undefined;
    const vaddr = this.virtualAddress(address - mapping.start + mapping.offset);
    return vaddr === undefined ? undefined : this.lookupVirtual(vaddr);
  }
}
