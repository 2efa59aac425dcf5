/**
 * Turns the bytes `ecli run` was given into a package, told apart by content (never by
 * file name): the MessagePack form ("EUNP"), a plain BPF ELF object ("\x7fELF", its
 * metadata derived from BTF on the fly), or else the JSON form.
 */
import { btfFromElf, EM_BPF, parseElf, type Btf } from "@eunomia/decoder";
import { readPackage, validateMeta, type Package } from "@eunomia/loader/package";
import { InputError } from "./read-input.ts";

/** The forms `ecli run` and `ecli convert` accept. */
export type PackageForm = "json" | "msgpack" | "elf";

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
const MSGPACK_MAGIC = [0x45, 0x55, 0x4e, 0x50];
const DUMMY_PREFIX = "__eunomia_dummy";
const BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4;
const BPF_MAP_TYPE_RINGBUF = 27;

const startsWith = (bytes: Uint8Array, magic: number[]) => bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);

/** The form of `bytes`, by their first bytes. */
export function packageForm(bytes: Uint8Array): PackageForm {
  if (startsWith(bytes, MSGPACK_MAGIC)) return "msgpack";
  if (startsWith(bytes, ELF_MAGIC)) return "elf";
  return "json";
}

function structName(btf: Btf, typeId: number): string | undefined {
  const t = btf.resolve(typeId);
  return t.kind === "struct" && t.name !== "" ? t.name : undefined;
}

/** Number behind a BTF map definition's `__uint(name, N)` member (a pointer to an array of N). */
function uintMember(btf: Btf, members: { name: string; typeId: number }[], name: string): number | undefined {
  const m = members.find((x) => x.name === name);
  const p = m ? btf.get(m.typeId) : undefined;
  if (p?.kind !== "ptr") return undefined;
  const arr = btf.get(p.typeId);
  return arr.kind === "array" ? arr.length : undefined;
}

/**
 * The struct a plain object exports, as the compiler would have picked from its header:
 * the pointee of a `__eunomia_dummy*` global (the compiler keeps the export struct in BTF
 * that way), else the value struct of the first ring buffer or perf event array.
 * Undefined when neither exists (events are then printed as hex).
 */
export function guessExportStruct(btf: Btf): string | undefined {
  for (const t of btf.types) {
    if (t.kind !== "var" || !t.name.startsWith(DUMMY_PREFIX)) continue;
    const p = btf.resolve(t.typeId);
    if (p.kind === "ptr") {
      const name = structName(btf, p.typeId);
      if (name) return name;
    }
  }
  const sec = btf.find(".maps", "datasec");
  if (sec?.kind !== "datasec") return undefined;
  for (const info of sec.vars) {
    const v = btf.get(info.typeId);
    const def = v.kind === "var" ? btf.resolve(v.typeId) : undefined;
    if (def?.kind !== "struct") continue;
    const type = uintMember(btf, def.members, "type");
    if (type !== BPF_MAP_TYPE_RINGBUF && type !== BPF_MAP_TYPE_PERF_EVENT_ARRAY) continue;
    const value = def.members.find((m) => m.name === "value");
    const ptr = value ? btf.get(value.typeId) : undefined;
    return ptr?.kind === "ptr" ? structName(btf, ptr.typeId) : undefined;
  }
  return undefined;
}

/** The skeleton name bpftool would give the object at `source` ("bootstrap.bpf.o" -> "bootstrap_bpf"). */
function objNameOf(source: string): string {
  const file = source === "-" || /^https?:\/\//.test(source) ? (source.split("/").pop() || "prog.o") : source.split("/").pop()!;
  const stem = file.endsWith(".o") ? file.slice(0, -2) : file;
  return stem.replace(/[^A-Za-z0-9_]/g, "_") || "prog";
}

/**
 * Describes a plain BPF ELF object as a package, with the compiler's own describe function
 * (loaded only for this form).
 * @throws InputError when the object has no readable BTF; PackageError when it is not BPF.
 */
export async function packageFromObject(object: Uint8Array, source: string): Promise<Package> {
  let exportStruct: string | undefined;
  try {
    const elf = parseElf(object);
    if (elf.machine !== EM_BPF) throw new Error(`machine ${elf.machine} is not BPF (${EM_BPF})`);
    exportStruct = guessExportStruct(btfFromElf(elf));
  } catch (err) {
    throw new InputError(`${source} is not a BPF object with BTF: ${(err as Error).message.split("\n")[0]}`);
  }
  const { describeObject } = await import("@eunomia/compiler");
  const meta = describeObject(object, { objName: objNameOf(source), exportStruct });
  return { object, meta: validateMeta(meta) };
}

/**
 * The package in `bytes`, whatever its form (see {@link packageForm}).
 * @throws PackageError for a malformed package; InputError for an unusable object.
 * @example const pkg = await packageFromBytes(await readInput("bootstrap.bin"), "bootstrap.bin");
 */
export async function packageFromBytes(bytes: Uint8Array, source: string): Promise<Package> {
  return packageForm(bytes) === "elf" ? packageFromObject(bytes, source) : readPackage(bytes);
}
