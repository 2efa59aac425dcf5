import { btfFromElf, parseElf } from "@eunomia/decoder";
import type { PackageMeta } from "@eunomia/loader/package";
import { dataSections } from "./data-sections.ts";
import { CompileError } from "./errors.ts";
import { exportType } from "./export-types.ts";
import { mapsMeta } from "./maps-meta.ts";
import { progsMeta } from "./progs-meta.ts";
import { EUNOMIA_VERSION } from "./version.ts";

/**
 * The package metadata (DESIGN.md section 3) of a compiled BPF object, read from its ELF
 * symbols and BTF: obj_name, data_sections, maps, progs, and export_types for
 * `exportStruct` (empty when undefined).
 * @throws CompileError (stage "metadata") when the object is not a readable ELF with BTF,
 *   or lacks the export struct.
 * @example describeObject(bytes, { objName: "bootstrap_bpf", exportStruct: "event" })
 */
export function describeObject(object: Uint8Array, opts: { objName: string; exportStruct?: string }): PackageMeta {
  try {
    const elf = parseElf(object);
    const btf = btfFromElf(elf);
    return {
      bpf_skel: {
        obj_name: opts.objName,
        data_sections: dataSections(elf, btf),
        maps: mapsMeta(elf, btf, opts.objName),
        progs: progsMeta(elf),
      },
      export_types: opts.exportStruct === undefined ? [] : [exportType(btf, opts.exportStruct)],
      eunomia_version: EUNOMIA_VERSION,
    };
  } catch (cause) {
    if (cause instanceof CompileError) throw cause;
    throw new CompileError("metadata", `cannot describe the compiled object: ${(cause as Error).message}`, { cause });
  }
}
