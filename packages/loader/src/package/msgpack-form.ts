/**
 * The MessagePack package form (DESIGN.md section 3, ours): the JSON form's content with
 * the ELF as raw bytes, MessagePack-encoded and Brotli-compressed, behind a magic prefix.
 *
 * Layout: `"EUNP"` (4 bytes), format version (1 byte, currently 1), flags (1 byte), then
 * Brotli(MessagePack(root)). `root` is the JSON form's top-level object, key order and
 * unknown fields kept, except that `bpf_object` is a bin:
 * - flags bit 0 clear: the inflated ELF; the JSON form's base64 text is recovered by
 *   zlib-deflating it at level 9 (what our compiler writes), which was checked to
 *   reproduce the original stream when the package was converted.
 * - flags bit 0 set: the JSON form's zlib stream verbatim (a stream written by another
 *   compressor, kept exactly so the conversion stays lossless).
 */
import type { Packr } from "msgpackr";
import { decodeBase64, encodeBase64 } from "./base64.ts";
import { PackageError } from "./package-error.ts";
import type { Package, PackageJson } from "./types.ts";

/** The four bytes every MessagePack package starts with: "EUNP". */
export const MSGPACK_MAGIC: Uint8Array = new Uint8Array([0x45, 0x55, 0x4e, 0x50]);
/** The format version this code writes and reads. */
export const MSGPACK_FORMAT_VERSION = 1;
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

function brotli(body: Uint8Array): Uint8Array {
  const z = zlib();
  const params = {
    [z.constants.BROTLI_PARAM_QUALITY]: 11,
    [z.constants.BROTLI_PARAM_LGWIN]: 24,
    [z.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
  };
  return new Uint8Array(z.brotliCompressSync(body, { params }));
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
  const verbatim = !sameBytes(deflateLevel9(object), stream);
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) root[key] = key === "bpf_object" ? (verbatim ? stream : object) : value;
  const body = brotli(packr().pack(root));
  const out = new Uint8Array(HEADER_SIZE + body.length);
  out.set(MSGPACK_MAGIC, 0);
  out[4] = MSGPACK_FORMAT_VERSION;
  out[5] = verbatim ? FLAG_ZLIB_VERBATIM : 0;
  out.set(body, HEADER_SIZE);
  return out;
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
  const version = bytes[4];
  if (version !== MSGPACK_FORMAT_VERSION) {
    throw new PackageError(`MessagePack package format version ${version} is not supported (this ecli reads ${MSGPACK_FORMAT_VERSION})`);
  }
  const flags = bytes[5];
  if ((flags & ~FLAG_ZLIB_VERBATIM) !== 0) throw new PackageError(`MessagePack package has unknown flags 0x${flags.toString(16)}`);
  let body: Uint8Array;
  try {
    body = new Uint8Array(zlib().brotliDecompressSync(bytes.subarray(HEADER_SIZE)));
  } catch (cause) {
    throw new PackageError(`MessagePack package body is not valid Brotli data (${(cause as Error).message}; truncated?)`, { cause });
  }
  let root: unknown;
  try {
    root = packr().unpack(body);
  } catch (cause) {
    throw new PackageError(`MessagePack package body is not valid MessagePack (${(cause as Error).message.split("\n")[0]})`, { cause });
  }
  if (root === null || typeof root !== "object" || Array.isArray(root) || root instanceof Uint8Array) {
    throw new PackageError("MessagePack package body must be a map");
  }
  const object = (root as Record<string, unknown>).bpf_object;
  if (!(object instanceof Uint8Array)) throw new PackageError("bpf_object must be a bin in the MessagePack form", { path: "bpf_object" });
  (root as Record<string, unknown>).bpf_object = new Uint8Array(object);
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
