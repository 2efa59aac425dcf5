/**
 * What `ecli client start/update` sends: the package checked here first, then in its
 * compact MessagePack form (a JSON package or a plain .bpf.o is converted), so the
 * bytes on the wire are as few as the format allows.
 */
import { jsonToMsgpack, readPackage, writePackageMsgpack } from "@eunomia/loader/package";
import { packageForm, packageFromObject } from "../package-input.ts";
import { readInput } from "../read-input.ts";

/** The MessagePack bytes of the package at `source` (file, URL or "-"). Throws PackageError/InputError. */
export async function packageUpload(source: string): Promise<Uint8Array> {
  const bytes = await readInput(source);
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
