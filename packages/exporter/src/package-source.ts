/**
 * Opens the package a program entry names: a file (either package form), inline
 * `ebpf_data` (the JSON form as text, or base64 of either form), or an OCI reference
 * (pulled through `@eunomia/loader/oci`, loaded only when used).
 */
import { openPackage, type PackageProgram } from "@eunomia/loader";
import type { ProgramSource } from "./config/config-types.ts";

/** Inline data that is not JSON text is read as base64 of the package bytes. */
function inlineBytes(data: string): string | Uint8Array {
  if (/^\s*\{/.test(data)) return data;
  return Uint8Array.from(Buffer.from(data.replace(/\s+/g, ""), "base64"));
}

/**
 * The package behind `source`. Throws the loader's PackageError (unreadable or malformed
 * package) or OciError (registry problems).
 */
export async function openSource(source: ProgramSource): Promise<PackageProgram> {
  switch (source.kind) {
    case "file":
      return openPackage(source.path);
    case "inline":
      return openPackage(inlineBytes(source.data));
    case "oci": {
      const { pullPackage } = await import("@eunomia/loader/oci");
      return openPackage((await pullPackage(source.ref)).bytes);
    }
    default: {
      const never: never = source;
      throw new Error(`unknown source ${JSON.stringify(never)}`);
    }
  }
}
