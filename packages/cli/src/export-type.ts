/** Finds the event struct a package exports, checked against the object's own BTF. */
import type { Btf } from "@eunomia/decoder";
import type { PackageMeta } from "@eunomia/loader/package";
import { UsageError } from "./cli-error.ts";

/** The struct events are decoded by. */
export interface ExportStruct { typeId: number; name: string }

/**
 * The first export type of the package, located in the object's BTF by `type_id` and
 * verified by name and member count (falling back to a lookup by name).
 * Returns undefined when the package exports no type.
 * @throws UsageError when the object has no matching struct.
 */
export function exportStruct(meta: PackageMeta, btf: Btf): ExportStruct | undefined {
  const declared = meta.export_types?.[0];
  if (!declared) return undefined;
  const matches = (id: number) => {
    const t = id > 0 && id < btf.types.length ? btf.get(id) : undefined;
    return t && (t.kind === "struct" || t.kind === "union") && t.name === declared.name &&
      t.members.length === declared.members.length ? t : undefined;
  };
  let t = matches(declared.type_id);
  if (!t) {
    const byName = btf.find(declared.name, "struct");
    t = byName ? matches(byName.id) : undefined;
  }
  if (!t) throw new UsageError(`package exports struct ${declared.name}, but the object's BTF has no struct of that name and shape`);
  return { typeId: t.id, name: t.name };
}
