/**
 * The MessagePack package form (DESIGN.md section 3, ours): the JSON form's content with
 * the ELF as raw bytes, MessagePack-encoded and compressed, behind a magic prefix.
 *
 * Layout: `"EUNP"` (4 bytes), format version (1 byte), flags (1 byte), then the body.
 * - Version 2 (written): zstd(MessagePack([root, btfTypes])) with the dictionary of
 *   msgpack-dictionary.ts. `btfTypes` is null, or `[offset, columns]` when the ELF's BTF
 *   type section was cut out of `bpf_object` at `offset` and stored as btf-columns.ts
 *   columns (about half the compressed size; checked to restore byte for byte).
 * - Version 1 (read only): Brotli(MessagePack(root)).
 * `root` is the JSON form's top-level object, key order and unknown fields kept, except
 * that `bpf_object` is a bin:
 * - flags bit 0 clear: the inflated ELF; the JSON form's base64 text is recovered by
 *   zlib-deflating it at level 9 (what our compiler writes), which was checked to
 *   reproduce the original stream when the package was converted.
 * - flags bit 0 set: the JSON form's zlib stream verbatim (a stream written by another
 *   compressor, kept exactly so the conversion stays lossless; its BTF is not cut out).
 */
import type { Packr } from "msgpackr";
import { parseElf } from "@eunomia/decoder";
import { decodeBase64, encodeBase64 } from "./base64.ts";
import { btfTypesToColumns, columnsToBtfTypes } from "./btf-columns.ts";
import { PackageError } from "./package-error.ts";
import type { Package, PackageJson } from "./types.ts";

/** The four bytes every MessagePack package starts with: "EUNP". */
export const MSGPACK_MAGIC: Uint8Array = new Uint8Array([0x45, 0x55, 0x4e, 0x50]);
/** The format version this code writes (it also reads version 1). */
export const MSGPACK_FORMAT_VERSION = 2;
const BROTLI_FORMAT_VERSION = 1;
const ZSTD_LEVEL = 19;
/**
 * The most a body may inflate to. BPF objects are kilobytes to a few megabytes; the cap
 * stops a small upload that inflates to gigabytes (a compression bomb) early.
 */
export const MAX_MSGPACK_BODY_BYTES = 64 * 1024 * 1024;
const HEADER_SIZE = 6;
const FLAG_ZLIB_VERBATIM = 1;

// Plain maps (no msgpackr records) keep the body readable by any MessagePack decoder.
// Created on first use: importing msgpackr costs every `ecli run` ~20 ms of start-up.
let packrInstance: Packr | undefined;
function packr(): Packr {
  const { Packr: PackrClass } = require("msgpackr") as typeof import("msgpackr");
  return (packrInstance ??= new PackrClass({ useRecords: false, mapsAsObjects: true, moreTypes: false }));
}

/** True when `bytes` starts with the MessagePack package magic (any version). */
export function isMsgpackPackage(bytes: Uint8Array): boolean {
  return bytes.length >= MSGPACK_MAGIC.length && MSGPACK_MAGIC.every((b, i) => bytes[i] === b);
}

function zlib(): typeof import("node:zlib") {
  // Loaded on demand: node:zlib costs ~15 ms, and `ecli run package.json` never needs it.
  return require("node:zlib") as typeof import("node:zlib");
}

function deflateLevel9(object: Uint8Array): Uint8Array {
  return new Uint8Array(zlib().deflateSync(object, { level: 9 }));
}

let dictionary: Uint8Array | undefined;
function msgpackDictionary(): Uint8Array {
  // Loaded on first use: only the MessagePack form needs it.
  const { MSGPACK_DICTIONARY_BASE64 } = require("./msgpack-dictionary.ts") as typeof import("./msgpack-dictionary.ts");
  return (dictionary ??= decodeBase64(MSGPACK_DICTIONARY_BASE64, "dictionary"));
}

function zstdWithDictionary(body: Uint8Array): Uint8Array {
  const z = zlib();
  const options = { params: { [z.constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL }, dictionary: msgpackDictionary() };
  return new Uint8Array(z.zstdCompressSync(body, options));
}

/** Where an ELF's BTF type section lies, or undefined when it has none we can read. */
function btfTypesRange(object: Uint8Array): { start: number; end: number } | undefined {
  let section;
  try {
    section = parseElf(object).sections.find((s) => s.name === ".BTF");
  } catch {
    return undefined; // not an ELF we can read: carried as is
  }
  if (!section || section.offset + 24 > object.length) return undefined;
  const view = new DataView(object.buffer, object.byteOffset + section.offset, Math.min(section.size, object.length - section.offset));
  if (view.byteLength < 24 || view.getUint16(0, true) !== 0xeb9f) return undefined;
  const start = section.offset + view.getUint32(4, true) + view.getUint32(8, true);
  const end = start + view.getUint32(12, true);
  return end <= section.offset + view.byteLength && start <= end ? { start, end } : undefined;
}

/** `object` with its BTF type section cut out as columns, when that restores exactly. */
function cutBtfTypes(object: Uint8Array): { rest: Uint8Array; btfTypes: [number, Uint8Array] | null } {
  const range = btfTypesRange(object);
  if (!range) return { rest: object, btfTypes: null };
  const types = object.subarray(range.start, range.end);
  let columns: Uint8Array;
  try {
    columns = btfTypesToColumns(types);
    if (!sameBytes(columnsToBtfTypes(columns), types)) return { rest: object, btfTypes: null };
  } catch {
    return { rest: object, btfTypes: null };
  }
  const rest = new Uint8Array(object.length - types.length);
  rest.set(object.subarray(0, range.start), 0);
  rest.set(object.subarray(range.end), range.start);
  return { rest, btfTypes: [range.start, columns] };
}

function restoreBtfTypes(rest: Uint8Array, btfTypes: unknown): Uint8Array {
  if (btfTypes === null) return rest;
  if (!Array.isArray(btfTypes) || btfTypes.length !== 2 || !Number.isInteger(btfTypes[0]) || !(btfTypes[1] instanceof Uint8Array)) {
    throw new PackageError("MessagePack package body: BTF columns must be [offset, bin]");
  }
  const [offset, columns] = btfTypes as [number, Uint8Array];
  if (offset < 0 || offset > rest.length) throw new PackageError(`MessagePack package body: BTF columns offset ${offset} is outside bpf_object`);
  let types: Uint8Array;
  try {
    types = columnsToBtfTypes(columns);
  } catch (cause) {
    throw new PackageError(`MessagePack package body: BTF columns are malformed (${(cause as Error).message})`, { cause });
  }
  const object = new Uint8Array(rest.length + types.length);
  object.set(rest.subarray(0, offset), 0);
  object.set(types, offset);
  object.set(rest.subarray(offset), offset + types.length);
  return object;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function toJsonRoot(pkg: PackageJson | Package): PackageJson {
  if ("object" in pkg && pkg.object instanceof Uint8Array) {
    const { object, meta } = pkg as Package;
    return { bpf_object: encodeBase64(deflateLevel9(object)), bpf_object_size: object.length, meta };
  }
  return pkg as PackageJson;
}

/**
 * Encodes a package in the MessagePack form. Accepts the JSON form (as parsed from
 * package.json: every field kept, in order) or a validated {@link Package}.
 * Structural only: the JSON form's `meta` is carried as is; {@link readPackage} validates.
 * @throws PackageError when `bpf_object` is not base64 of a zlib stream.
 * @example await Bun.write("package.msgpack", writePackageMsgpack(await Bun.file("package.json").json()));
 */
export function writePackageMsgpack(pkg: PackageJson | Package): Uint8Array {
  const { body, zlibVerbatim } = msgpackBody(pkg);
  const compressed = zstdWithDictionary(body);
  const out = new Uint8Array(HEADER_SIZE + compressed.length);
  out.set(MSGPACK_MAGIC, 0);
  out[4] = MSGPACK_FORMAT_VERSION;
  out[5] = zlibVerbatim ? FLAG_ZLIB_VERBATIM : 0;
  out.set(compressed, HEADER_SIZE);
  return out;
}

/**
 * The body of the MessagePack form before compression, MessagePack([root, btfTypes]),
 * and whether `bpf_object` is the JSON form's zlib stream kept verbatim. Exported for the
 * dictionary generator (tools/msgpack-dictionary), which samples real bodies.
 */
export function msgpackBody(pkg: PackageJson | Package): { body: Uint8Array; zlibVerbatim: boolean } {
  const json = toJsonRoot(pkg);
  if (json === null || typeof json !== "object" || typeof json.bpf_object !== "string") {
    throw new PackageError("bpf_object must be a base64 string", { path: "bpf_object" });
  }
  const stream = decodeBase64(json.bpf_object, "bpf_object");
  let object: Uint8Array;
  try {
    object = new Uint8Array(zlib().inflateSync(stream));
  } catch (cause) {
    throw new PackageError(`bpf_object is not valid zlib data (${(cause as Error).message})`, { path: "bpf_object", cause });
  }
  const zlibVerbatim = !sameBytes(deflateLevel9(object), stream);
  const { rest, btfTypes } = zlibVerbatim ? { rest: stream, btfTypes: null } : cutBtfTypes(object);
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) root[key] = key === "bpf_object" ? rest : value;
  return { body: packr().pack([root, btfTypes]), zlibVerbatim };
}

function decompressBody(body: Uint8Array, version: number): Uint8Array {
  const z = zlib();
  const maxOutputLength = MAX_MSGPACK_BODY_BYTES;
  try {
    if (version === BROTLI_FORMAT_VERSION) return new Uint8Array(z.brotliDecompressSync(body, { maxOutputLength }));
    return new Uint8Array(z.zstdDecompressSync(body, { dictionary: msgpackDictionary(), maxOutputLength }));
  } catch (cause) {
    if ((cause as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw new PackageError(`MessagePack package body inflates to more than ${MAX_MSGPACK_BODY_BYTES / 1024 / 1024} MiB (a compression bomb?)`, { cause });
    }
    const codec = version === BROTLI_FORMAT_VERSION ? "Brotli" : "zstd";
    throw new PackageError(`MessagePack package body is not valid ${codec} data (${(cause as Error).message}; truncated?)`, { cause });
  }
}

/** The decoded root of a MessagePack package and how its `bpf_object` bin is stored. */
export interface MsgpackRoot {
  root: Record<string, unknown>;
  /** `bpf_object` holds the inflated ELF (false) or the JSON form's zlib stream (true). */
  zlibVerbatim: boolean;
}

/**
 * Checks the header and decodes the body of a MessagePack package. Validates structure
 * only (magic, version, flags, Brotli, MessagePack, a top-level map, `bpf_object` a bin).
 * @throws PackageError with a one-line message.
 */
export function decodeMsgpackRoot(bytes: Uint8Array): MsgpackRoot {
  if (!isMsgpackPackage(bytes)) throw new PackageError("not a MessagePack package (no EUNP magic)");
  if (bytes.length < HEADER_SIZE) throw new PackageError(`MessagePack package truncated in its header (${bytes.length} bytes)`);
  const version = bytes[4]!;
  if (version !== MSGPACK_FORMAT_VERSION && version !== BROTLI_FORMAT_VERSION) {
    throw new PackageError(`MessagePack package format version ${version} is not supported (this ecli reads 1 and ${MSGPACK_FORMAT_VERSION})`);
  }
  const flags = bytes[5]!;
  if ((flags & ~FLAG_ZLIB_VERBATIM) !== 0) throw new PackageError(`MessagePack package has unknown flags 0x${flags.toString(16)}`);
  const body = decompressBody(bytes.subarray(HEADER_SIZE), version);
  let decoded: unknown;
  try {
    decoded = packr().unpack(body);
  } catch (cause) {
    throw new PackageError(`MessagePack package body is not valid MessagePack (${(cause as Error).message.split("\n")[0]})`, { cause });
  }
  let root = decoded;
  let btfTypes: unknown = null;
  if (version !== BROTLI_FORMAT_VERSION) {
    if (!Array.isArray(decoded) || decoded.length !== 2) throw new PackageError("MessagePack package body must be [root, BTF columns]");
    [root, btfTypes] = decoded;
  }
  if (root === null || typeof root !== "object" || Array.isArray(root) || root instanceof Uint8Array) {
    throw new PackageError("MessagePack package root must be a map");
  }
  const object = (root as Record<string, unknown>).bpf_object;
  if (!(object instanceof Uint8Array)) throw new PackageError("bpf_object must be a bin in the MessagePack form", { path: "bpf_object" });
  (root as Record<string, unknown>).bpf_object = restoreBtfTypes(new Uint8Array(object), btfTypes);
  return { root: root as Record<string, unknown>, zlibVerbatim: (flags & FLAG_ZLIB_VERBATIM) !== 0 };
}

/**
 * Converts a MessagePack package back to the JSON form, exactly: same fields in the same
 * order, `bpf_object` the same base64 text it was converted from.
 * @throws PackageError for a malformed MessagePack package.
 * @example await Bun.write("package.json", JSON.stringify(packageToJson(await Bun.file("package.msgpack").bytes())));
 */
export function packageToJson(bytes: Uint8Array): PackageJson {
  const { root, zlibVerbatim } = decodeMsgpackRoot(bytes);
  const object = root.bpf_object as Uint8Array;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(root)) {
    out[key] = key === "bpf_object" ? encodeBase64(zlibVerbatim ? object : deflateLevel9(object)) : value;
  }
  return out as PackageJson;
}

/**
 * Converts the JSON form (text, bytes or parsed) to the MessagePack form.
 * @throws PackageError for invalid JSON or a `bpf_object` that is not base64 zlib.
 * @example const bin = jsonToMsgpack(await Bun.file("package.json").text());
 */
export function jsonToMsgpack(json: PackageJson | string | Uint8Array): Uint8Array {
  if (typeof json === "string" || json instanceof Uint8Array) {
    const text = typeof json === "string" ? json : new TextDecoder().decode(json);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new PackageError(`invalid JSON (${(cause as Error).message})`, { cause });
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new PackageError("the package must be a JSON object");
    return writePackageMsgpack(parsed as PackageJson);
  }
  return writePackageMsgpack(json);
}
