/**
 * What `ecli client start/update` sends: the package checked here first, then in its
 * compact MessagePack form (a JSON package or a plain .bpf.o is converted), so the
 * bytes on the wire are as few as the format allows. A WebAssembly module (`\0asm`) is
 * sent as it is: the server checks it.
 */
import { isWasmModule } from "@eunomia/loader";
import { jsonToMsgpack, readPackage, writePackageMsgpack } from "@eunomia/loader/package";
import { packageForm, packageFromObject } from "../package-input.ts";
import { readInput } from "../read-input.ts";

/** The MessagePack bytes of the package at `source` (file, URL or "-"), or the module there. Throws PackageError/InputError. */
export async function packageUpload(source: string): Promise<Uint8Array> {
  const bytes = await readInput(source);
  if (isWasmModule(bytes)) return bytes;
  switch (packageForm(bytes)) {
    case "msgpack":
      readPackage(bytes);
      return bytes;
    case "json":
      readPackage(bytes);
      return jsonToMsgpack(bytes);
    case "elf":
      return writePackageMsgpack(await packageFromObject(bytes, source));
  }
}

const MAX_NAME = 64;

/**
 * The task name a module gets when none is given: its file's name (`bootstrap.wasm`),
 * which the server cannot know. Undefined for packages (the server names them after
 * their object) and for modules read from stdin.
 */
export function moduleTaskName(source: string, bytes: Uint8Array): string | undefined {
  if (!isWasmModule(bytes) || source === "-") return undefined;
  const file = source.split("/").pop()?.replace(/[\x00-\x1f\x7f]/g, "") ?? "";
  return file === "" ? undefined : file.slice(0, MAX_NAME);
}
