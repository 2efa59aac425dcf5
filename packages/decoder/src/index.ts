/**
 * @module @eunomia/decoder
 *
 * Pure TypeScript (no FFI, no file system): reads ELF objects and their BTF, lays out C
 * types, decodes raw event bytes into JS values, encodes command-line values into the
 * bytes of `const volatile` globals, and formats values as JSON lines or a text table.
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
export { DecoderError, ElfError, BtfError, DecodeError, EncodeError } from "./errors.ts";
export { parseElf, EM_BPF, SHT_SYMTAB, SHT_STRTAB, SHT_NOBITS } from "./elf.ts";
export type { Elf, ElfSection, ElfSymbol } from "./elf.ts";
export { Btf } from "./btf/btf.ts";
export { parseBtf, btfFromElf } from "./btf/parse.ts";
export { globalVariables } from "./btf/global-variables.ts";
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
export { TextTable } from "./format/text-table.ts";
