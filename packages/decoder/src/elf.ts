/**
 * A small ELF64 little-endian reader: the header, section headers, section names and
 * the symbol table. Every offset read from the file is checked against the file size
 * before use, so garbage input yields an `ElfError`, never a RangeError.
 */
import { ElfError } from "./errors.ts";

/** `e_machine` of eBPF objects. */
export const EM_BPF = 247;

/** Section type of a symbol table. */
export const SHT_SYMTAB = 2;
/** Section type of a string table. */
export const SHT_STRTAB = 3;
/** Section type of a section with no file data (`.bss`): `data` is empty. */
export const SHT_NOBITS = 8;
/** Section type of the extended section indexes of a symbol table. */
export const SHT_SYMTAB_SHNDX = 18;
/** Section type of the dynamic symbol table (`.dynsym`) of executables and shared objects. */
export const SHT_DYNSYM = 11;
/** Program header type of a loadable segment. */
export const PT_LOAD = 1;

const SHN_XINDEX = 0xffff;
const EHDR_SIZE = 64;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const PHDR_SIZE = 56;

/** One section. `data` is a view into the file bytes (empty for SHT_NOBITS). */
export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: bigint;
  offset: number;
  size: number;
  data: Uint8Array;
  /** `sh_link`: e.g. the string table of a symbol table, the section a REL applies to uses `info`. */
  link: number;
  /** `sh_info`. */
  info: number;
  /** `sh_addralign`. */
  addralign: bigint;
  /** `sh_entsize`. */
  entsize: bigint;
}

/** One entry of `.symtab`; `symbols[i]` is symbol table index `i` (index 0 is the null symbol). */
export interface ElfSymbol {
  name: string;
  value: bigint;
  size: bigint;
  /** STT_* (low nibble of st_info). */
  type: number;
  /** STB_* (high nibble of st_info). */
  bind: number;
  sectionIndex: number;
}

/** One program header (segment) of an executable or shared object. */
export interface ElfSegment {
  /** PT_* (`PT_LOAD` = 1). */
  type: number;
  /** PF_X = 1, PF_W = 2, PF_R = 4. */
  flags: number;
  /** Where the segment's bytes start in the file. */
  offset: bigint;
  /** The virtual address the segment is linked at (relative to the load base for PIE/shared objects). */
  vaddr: bigint;
  filesz: bigint;
  memsz: bigint;
}

/** A parsed ELF file. Section data are views into the bytes given to `parseElf`. */
export interface Elf {
  machine: number;
  type: number;
  sections: ElfSection[];
  /** The first section with this exact name. */
  section(name: string): ElfSection | undefined;
  symbols: ElfSymbol[];
  /** Entries of `.dynsym` (empty when absent), indexed like `symbols`. */
  dynamicSymbols: ElfSymbol[];
  /** Program headers (empty for relocatable objects such as `.bpf.o`). */
  segments: ElfSegment[];
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** Converts a 64-bit file offset or size to a number, or fails if it cannot lie within the file. */
function toOffset(v: bigint, what: string, fileSize: number): number {
  if (v > BigInt(fileSize)) throw new ElfError(`truncated ELF: ${what} ${v} beyond file size ${fileSize}`);
  return Number(v);
}

function checkRange(start: number, length: number, what: string, fileSize: number): void {
  if (start + length > fileSize) {
    throw new ElfError(`truncated ELF: ${what} at ${start}+${length} beyond file size ${fileSize}`);
  }
}

/** Reads a NUL-terminated string at `off` of a string table section. */
function readString(table: Uint8Array, off: number, what: string): string {
  if (off >= table.length) {
    if (off === 0 && table.length === 0) return "";
    throw new ElfError(`bad ELF: ${what} name offset ${off} beyond string table size ${table.length}`);
  }
  const end = table.indexOf(0, off);
  if (end < 0) throw new ElfError(`bad ELF: ${what} name at ${off} is not NUL-terminated`);
  return utf8.decode(table.subarray(off, end));
}

/**
 * Parses an ELF64 little-endian file (any machine; check `machine === EM_BPF` yourself).
 *
 * @throws ElfError when the magic, class, byte order or any offset is wrong.
 * @example
 *   const elf = parseElf(await Bun.file("prog.bpf.o").bytes());
 *   elf.section(".BTF")?.data;
 */
export function parseElf(bytes: Uint8Array): Elf {
  const size = bytes.length;
  if (size < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfError("not an ELF file: bad magic");
  }
  if (size < EHDR_SIZE) throw new ElfError(`truncated ELF: header needs ${EHDR_SIZE} bytes, file size ${size}`);
  if (bytes[4] !== 2) throw new ElfError(`unsupported ELF: class ${bytes[4]} (only ELF64 is supported)`);
  if (bytes[5] !== 1) throw new ElfError(`unsupported ELF: data encoding ${bytes[5]} (only little-endian is supported)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = dv.getUint16(16, true);
  const machine = dv.getUint16(18, true);
  const shoff = toOffset(dv.getBigUint64(40, true), "section header offset", size);
  const shentsize = dv.getUint16(58, true);
  let shnum = dv.getUint16(60, true);
  let shstrndx = dv.getUint16(62, true);

  const headers: RawHeader[] = [];
  if (shoff !== 0) {
    if (shentsize < SHDR_SIZE) throw new ElfError(`bad ELF: section header entry size ${shentsize} < ${SHDR_SIZE}`);
    checkRange(shoff, shentsize, "section header 0", size);
    const first = readHeader(dv, shoff);
    // Extended numbering: the real count/string index live in section header 0.
    if (shnum === 0) shnum = toOffset(first.size, "section count", size);
    if (shstrndx === SHN_XINDEX) shstrndx = first.link;
    checkRange(shoff, shnum * shentsize, "section header table", size);
    for (let i = 0; i < shnum; i++) headers.push(i === 0 ? first : readHeader(dv, shoff + i * shentsize));
  }

  const sections: ElfSection[] = headers.map((h, index) => {
    const offset = toOffset(h.offset, `section ${index} offset`, size);
    const nobits = h.type === SHT_NOBITS;
    const secSize = nobits ? Number(h.size > BigInt(Number.MAX_SAFE_INTEGER) ? 0n : h.size) : toOffset(h.size, `section ${index} size`, size);
    if (!nobits) checkRange(offset, secSize, `section ${index} data`, size);
    return {
      index, name: "", type: h.type, flags: h.flags, offset, size: secSize,
      data: nobits ? bytes.subarray(0, 0) : bytes.subarray(offset, offset + secSize),
      link: h.link, info: h.info, addralign: h.addralign, entsize: h.entsize,
    };
  });

  if (sections.length > 0 && shstrndx !== 0) {
    const strtab = sections[shstrndx];
    if (!strtab) throw new ElfError(`bad ELF: section name table index ${shstrndx} beyond ${sections.length} sections`);
    for (let i = 0; i < sections.length; i++) {
      sections[i].name = readString(strtab.data, headers[i].nameOff, `section ${i}`);
    }
  }

  const symbols = readSymbols(sections, SHT_SYMTAB);
  const dynamicSymbols = readSymbols(sections, SHT_DYNSYM);
  const segments = readSegments(dv, size);
  const byName = new Map<string, ElfSection>();
  for (const s of sections) if (!byName.has(s.name)) byName.set(s.name, s);
  return { machine, type, sections, symbols, dynamicSymbols, segments, section: (name) => byName.get(name) };
}

function readSegments(dv: DataView, size: number): ElfSegment[] {
  const phoff = toOffset(dv.getBigUint64(32, true), "program header offset", size);
  const phentsize = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);
  if (phoff === 0 || phnum === 0) return [];
  if (phentsize < PHDR_SIZE) throw new ElfError(`bad ELF: program header entry size ${phentsize} < ${PHDR_SIZE}`);
  checkRange(phoff, phnum * phentsize, "program header table", size);
  const out: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    out.push({
      type: dv.getUint32(at, true),
      flags: dv.getUint32(at + 4, true),
      offset: dv.getBigUint64(at + 8, true),
      vaddr: dv.getBigUint64(at + 16, true),
      filesz: dv.getBigUint64(at + 32, true),
      memsz: dv.getBigUint64(at + 40, true),
    });
  }
  return out;
}

interface RawHeader { nameOff: number; type: number; flags: bigint; offset: bigint; size: bigint; link: number; info: number; addralign: bigint; entsize: bigint }

function readHeader(dv: DataView, at: number): RawHeader {
  return {
    nameOff: dv.getUint32(at, true),
    type: dv.getUint32(at + 4, true),
    flags: dv.getBigUint64(at + 8, true),
    offset: dv.getBigUint64(at + 24, true),
    size: dv.getBigUint64(at + 32, true),
    link: dv.getUint32(at + 40, true),
    info: dv.getUint32(at + 44, true),
    addralign: dv.getBigUint64(at + 48, true),
    entsize: dv.getBigUint64(at + 56, true),
  };
}

function readSymbols(sections: ElfSection[], tableType: number): ElfSymbol[] {
  const symtab = sections.find((s) => s.type === tableType);
  if (!symtab) return [];
  const strtab = sections[symtab.link];
  if (!strtab) throw new ElfError(`bad ELF: symbol table links to missing string table ${symtab.link}`);
  if (symtab.size % SYM_SIZE !== 0) throw new ElfError(`bad ELF: symbol table size ${symtab.size} is not a multiple of ${SYM_SIZE}`);
  const ext = sections.find((s) => s.type === SHT_SYMTAB_SHNDX && s.link === symtab.index);
  const data = symtab.data;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const count = symtab.size / SYM_SIZE;
  const out: ElfSymbol[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * SYM_SIZE;
    const info = dv.getUint8(at + 4);
    let sectionIndex = dv.getUint16(at + 6, true);
    if (sectionIndex === SHN_XINDEX && ext) {
      if ((i + 1) * 4 > ext.size) throw new ElfError(`bad ELF: symbol ${i} has no extended section index`);
      sectionIndex = new DataView(ext.data.buffer, ext.data.byteOffset, ext.size).getUint32(i * 4, true);
    }
    out[i] = {
      name: readString(strtab.data, dv.getUint32(at, true), `symbol ${i}`),
      value: dv.getBigUint64(at + 8, true),
      size: dv.getBigUint64(at + 16, true),
      type: info & 0xf,
      bind: info >> 4,
      sectionIndex,
    };
  }
  return out;
}
