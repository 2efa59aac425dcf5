/**
 * @module @eunomia/decoder
 *
 * Pure TypeScript (no FFI, no file system): reads ELF objects and their BTF, lays out C
 * types, decodes raw event bytes into JS values, encodes command-line values into the
 * bytes of `const volatile` globals, and formats values as JSON lines or a text table.
 * It also parses the text of `/proc/kallsyms` and `/proc/<pid>/maps` and the symbol
 * tables of ELF executables, to symbolise stack traces (the caller reads the files).
 *
 * @example
 *   import { parseElf, btfFromElf, createDecoder, formatJson } from "@eunomia/decoder";
 *   const btf = btfFromElf(parseElf(objectBytes));
 *   const decode = createDecoder(btf, btf.find("event", "struct")!.id);
 *   console.log(formatJson(decode(recordBytes)));
 *   // or, for JSON lines without the intermediate object:
 *   const toJson = createJsonFormatter(btf, btf.find("event", "struct")!.id);
 *   console.log(toJson(recordBytes));
 */
export { DecoderError, ElfError, BtfError, DecodeError, EncodeError, SymbolError } from "./errors.ts";
export { parseElf, EM_BPF, SHT_SYMTAB, SHT_STRTAB, SHT_NOBITS, SHT_DYNSYM, PT_LOAD } from "./elf.ts";
export type { Elf, ElfSection, ElfSymbol, ElfSegment } from "./elf.ts";
export { KernelSymbols, parseKallsyms } from "./symbols/kallsyms.ts";
export type { KernelSymbolMatch } from "./symbols/kallsyms.ts";
export { ElfSymbolTable, elfBuildId } from "./symbols/elf-symbols.ts";
export type { ElfFunctionMatch, FileMapping } from "./symbols/elf-symbols.ts";
export { parseProcMaps, findMapping } from "./symbols/proc-maps.ts";
export type { ProcMapping } from "./symbols/proc-maps.ts";
export { Btf } from "./btf/btf.ts";
export { parseBtf, btfFromElf } from "./btf/parse.ts";
export { globalVariables } from "./btf/global-variables.ts";
export { mapBtfTypes, type MapBtfTypes } from "./btf/map-types.ts";
export type { GlobalVariable } from "./btf/global-variables.ts";
export type { TypeNameOptions } from "./btf/type-name.ts";
export type { BtfKind, BtfType, BtfMember, BtfEnumValue, BtfParam, BtfVarSecInfo } from "./btf/types.ts";
export { createDecoder } from "./decode/create-decoder.ts";
export type { Decoder } from "./decode/create-decoder.ts";
export type { DecodedValue } from "./decode/value.ts";
export { encodeValue } from "./encode/encode-value.ts";
export { formatJson } from "./format/format-json.ts";
export { createJsonFormatter } from "./format/json-formatter.ts";
export type { JsonFormatter } from "./format/json-formatter.ts";
export { createJsonWriter } from "./format/json-writer.ts";
export type { JsonWriter } from "./format/json-writer.ts";
export { TextTable } from "./format/text-table.ts";
export { formatLinearHist, formatLog2Hist, linearHistJson, log2HistJson } from "./format/histogram.ts";
export type { HistogramBucket, HistogramJson, SlotCount } from "./format/histogram.ts";
