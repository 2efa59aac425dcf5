import type { Btf } from "@eunomia/decoder";
import type { ExportType } from "@eunomia/loader/package";
import { CompileError } from "./errors.ts";

/**
 * The `export_types` entry for a struct of the object's BTF: its size, type id and
 * members with their C type spellings ("int", "char[16]", "enum event_type").
 * @throws CompileError (stage "metadata") when the struct is not in the BTF.
 */
export function exportType(btf: Btf, structName: string): ExportType {
  const t = btf.find(structName, "struct");
  if (t?.kind !== "struct") {
    throw new CompileError("metadata", `struct ${structName} from the header is not in the object's BTF`);
  }
  return {
    name: t.name,
    size: t.size,
    type_id: t.id,
    members: t.members.map((m) => ({ name: m.name, type: btf.typeName(m.typeId, { qualifiers: false }) })),
  };
}
