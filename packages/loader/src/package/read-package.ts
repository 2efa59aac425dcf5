/**
 * Reading the JSON package form with full validation, before anything reaches libbpf.
 */
import { EM_BPF, parseElf } from "@eunomia/decoder";
import { decodeBase64 } from "./base64.ts";
import { asObject, str, uint } from "./json-checks.ts";
import { decodeMsgpackRoot, isMsgpackPackage } from "./msgpack-form.ts";
import { PackageError } from "./package-error.ts";
import type { Package } from "./types.ts";
import { validateMeta } from "./validate-meta.ts";

function parseText(input: Uint8Array | string): unknown {
  let text: string;
  if (typeof input === "string") {
    text = input;
  } else if (input instanceof Uint8Array) {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(input);
    } catch (cause) {
      throw new PackageError("the JSON text is not valid UTF-8", { cause });
    }
  } else {
    throw new PackageError("input must be a string or a Uint8Array");
  }
  if (text.trim() === "") throw new PackageError("the JSON text is empty");
  try {
    return JSON.parse(text);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new PackageError(`invalid JSON (${why})`, { cause });
  }
}

/** zlib-format inflate. Bun's own (windowBits 15: zlib header) spares `ecli run` the ~15 ms import of node:zlib. */
function inflate(compressed: Uint8Array): Uint8Array {
  try {
    return Bun.inflateSync(compressed as Uint8Array<ArrayBuffer>, { windowBits: 15 });
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new PackageError(`bpf_object is not valid zlib data (${why})`, { path: "bpf_object", cause });
  }
}

function checkElf(object: Uint8Array): void {
  let machine: number;
  try {
    machine = parseElf(object).machine;
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new PackageError(`bpf_object is not a valid ELF object (${why})`, { path: "bpf_object", cause });
  }
  if (machine !== EM_BPF) {
    throw new PackageError(`bpf_object is an ELF for machine ${machine}, not BPF (${EM_BPF})`, {
      path: "bpf_object",
    });
  }
}

/** The checks both forms share: meta, the inflated size, ELF sanity. */
function finish(root: Record<string, unknown>, object: () => Uint8Array): Package {
  const size = uint(root, "bpf_object_size", "package");
  const meta = validateMeta(root.meta);
  const elf = object();
  if (elf.length !== size) {
    throw new PackageError(`bpf_object_size ${size} does not match the inflated object (${elf.length} bytes)`, {
      path: "bpf_object_size",
    });
  }
  checkElf(elf);
  return { object: elf, meta };
}

/**
 * Parses and validates a package in either form, told apart by content: the MessagePack
 * form (bytes starting with "EUNP") or the JSON form (text or bytes). Checks JSON syntax
 * or the MessagePack header and body, the shape of `meta`, base64, zlib,
 * `bpf_object_size` and ELF sanity (EM_BPF).
 * Pure: touches neither the kernel nor libbpf.
 * Throws {@link PackageError} with a one-line message.
 *
 * @example
 * const pkg = readPackage(await Bun.file("package.json").text());
 * console.log(pkg.meta.bpf_skel.obj_name, pkg.object.length);
 */
export function readPackage(input: Uint8Array | string): Package {
  if (input instanceof Uint8Array && isMsgpackPackage(input)) {
    const { root, zlibVerbatim } = decodeMsgpackRoot(input);
    const bin = root.bpf_object as Uint8Array;
    return finish(root, () => (zlibVerbatim ? inflate(bin) : bin));
  }
  const root = asObject(parseText(input), "the package");
  const encoded = str(root, "bpf_object", "package");
  return finish(root, () => inflate(decodeBase64(encoded, "bpf_object")));
}
