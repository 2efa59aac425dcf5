#!/usr/bin/env bun
/**
 * Generates the compression dictionary of the MessagePack package form (format version 2):
 * words a package's body is likely to repeat, so that zstd can refer to them instead of
 * storing them. Most of a package is the BTF that clang emits for the kernel types a
 * program touches, so most of the dictionary is those types' names and member names, read
 * from this kernel's BTF in the order clang emits them; the rest is the ELF section names,
 * C type names and metadata keys every package has.
 *
 * The output is part of the format: packages written with it need the same bytes to be
 * read. Never regenerate it for an existing dictionary id; add a new id instead.
 *
 * Usage: bun tools/msgpack-dictionary/generate.ts OUT.ts [/sys/kernel/btf/vmlinux]
 * (writes a TypeScript module holding the dictionary as base64, and its SHA-256)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "@eunomia/compiler";
import { parseBtf, type BtfType } from "@eunomia/decoder";
import { msgpackBody } from "@eunomia/loader/package";
import { Packr } from "msgpackr";

/** Kernel types tracing programs reach most often; later ones are closer to the end (cheaper to refer to). */
const ROOT_STRUCTS = [
  "bio", "request", "gendisk", "block_device", "super_block", "qstr", "path", "dentry", "inode", "file",
  "linux_binprm", "cgroup", "css_set", "net_device", "sock_common", "sock", "sk_buff", "mm_struct",
  "trace_event_raw_block_rq_completion", "trace_event_raw_block_rq", "trace_event_raw_sched_wakeup_template",
  "trace_event_raw_sched_switch", "trace_event_raw_sys_exit", "trace_event_raw_sys_enter",
  "trace_event_raw_sched_process_template", "trace_event_raw_sched_process_exec", "pt_regs", "task_struct",
];

const COMMON_WORDS = [
  ".text", ".rodata", ".data", ".bss", ".maps", "license", ".BTF", ".BTF.ext", ".rel.BTF", ".rel.BTF.ext",
  ".llvm_addrsig", ".symtab", ".strtab", "LICENSE", "GPL", "Dual BSD/GPL", "__ARRAY_SIZE_TYPE__",
  "type", "key", "value", "max_entries", "key_size", "value_size", "map_flags", "pinning",
  "_Bool", "bool", "char", "unsigned char", "short", "unsigned short", "int", "unsigned int", "long",
  "unsigned long", "long long", "unsigned long long", "__u8", "__u16", "__u32", "__u64", "__s8", "__s16",
  "__s32", "__s64", "u8", "u16", "u32", "u64", "s32", "s64", "pid_t", "ctx", "event", "events", "rb",
  "tp/", "tracepoint/", "raw_tp/", "tp_btf/", "kprobe/", "kretprobe/", "uprobe/", "uretprobe/",
  "fentry/", "fexit/", "lsm/", "perf_event", "xdp", "tc", "syscalls/", "sched/",
];

/**
 * Source lines the BTF line info repeats: the idioms of libbpf-style programs (written
 * here as they typically appear, one tab of indentation).
 */
const SOURCE_IDIOMS = [
  "#include \"vmlinux.h\"", "#include <bpf/bpf_helpers.h>", "#include <bpf/bpf_tracing.h>", "#include <bpf/bpf_core_read.h>",
  "char LICENSE[] SEC(\"license\") = \"Dual BSD/GPL\";", "const volatile ", "SEC(\"tp/", "SEC(\"tracepoint/",
  "__uint(type, BPF_MAP_TYPE_RINGBUF);", "__uint(type, BPF_MAP_TYPE_HASH);", "__uint(type, BPF_MAP_TYPE_ARRAY);",
  "__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);", "__uint(max_entries, 256 * 1024);", "__type(key, u32);", "__type(value, u64);",
  "} rb SEC(\".maps\");", "} events SEC(\".maps\");",
  "\tu64 id = bpf_get_current_pid_tgid();", "\tpid = bpf_get_current_pid_tgid() >> 32;", "\tu32 pid = bpf_get_current_pid_tgid() >> 32;",
  "\tu64 ts = bpf_ktime_get_ns();", "\tts = bpf_ktime_get_ns();", "\tbpf_get_current_comm(&e->comm, sizeof(e->comm));",
  "\te = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);", "\tif (!e)", "\t\treturn 0;", "\treturn 0;", "\tbpf_ringbuf_submit(e, 0);",
  "\tbpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));", "\tbpf_map_update_elem(&", "\tbpf_map_delete_elem(&",
  "\tbpf_map_lookup_elem(&", "\tif (target_pid && pid != target_pid)", "\ttask = (struct task_struct *)bpf_get_current_task();",
  "BPF_CORE_READ(task, ", "\te->pid = pid;", "\te->ts = ts;", "int BPF_PROG(", "int BPF_KPROBE(", "int handle_", "(void *ctx)",
];

/** A metadata skeleton with every key the compiler writes, MessagePack-encoded as the body holds it. */
const META_SKELETON = {
  bpf_object: new Uint8Array(0),
  bpf_object_size: 0,
  meta: {
    bpf_skel: {
      obj_name: "_bpf",
      data_sections: [
        { name: ".rodata", variables: [{ name: "", type: "unsigned long long", description: "", cmdarg: { default: 0, short: "", long: "" } }] },
        { name: ".bss", variables: [{ name: "__eunomia_dummy_event_ptr", type: "struct event *" }] },
      ],
      maps: [{ name: "", ident: "", mmaped: true, sample: { interval: 1000, type: "log2_hist", unit: "", clear_map: false } }],
      progs: [{ name: "handle_", attach: "tp/", link: true }],
      doc: { brief: "", details: "", version: "" },
    },
    export_types: [{ name: "event", size: 0, type_id: 0, members: [{ name: "pid", type: "int" }, { name: "comm", type: "char[16]" }] }],
    eunomia_version: "1.0.0",
  },
};

function typeWords(types: (id: number) => BtfType, rootId: number, add: (s: string) => void): void {
  const seen = new Set<number>();
  // Depth-first over embedded members, as clang emits a struct's types; pointees by name only.
  const walk = (id: number, depth: number): void => {
    if (seen.has(id) || depth > 40) return;
    seen.add(id);
    const t = types(id);
    add(t.name);
    switch (t.kind) {
      case "struct": case "union":
        for (const m of t.members) {
          add(m.name);
          walk(m.typeId, depth + 1);
        }
        break;
      case "ptr": {
        const pointee = types(t.typeId);
        if (pointee.kind === "struct" || pointee.kind === "union") add(pointee.name);
        else walk(t.typeId, depth + 1);
        break;
      }
      case "array": walk(t.elemTypeId, depth + 1); break;
      case "enum": case "enum64": for (const v of t.values) add(v.name); break;
      case "func_proto":
        walk(t.returnTypeId, depth + 1);
        for (const p of t.params) walk(p.typeId, depth + 1);
        break;
      case "typedef": case "const": case "volatile": case "restrict": case "type_tag":
        walk(t.typeId, depth + 1);
        break;
    }
  };
  walk(rootId, 0);
}

const [outPath, path = "/sys/kernel/btf/vmlinux"] = process.argv.slice(2);
if (!outPath) throw new Error("usage: generate.ts OUT.ts [vmlinux BTF]");
const btf = parseBtf(new Uint8Array(await Bun.file(path).arrayBuffer()));
const words: string[] = [];
const have = new Set<string>();
const add = (s: string) => {
  if (s !== "" && !have.has(s)) {
    have.add(s);
    words.push(s);
  }
};
for (const name of ROOT_STRUCTS) {
  const t = btf.find(name, "struct");
  if (!t) throw new Error(`${path} has no struct ${name}`);
  typeWords((id) => btf.get(id), t.id, add);
}
for (const w of [...SOURCE_IDIOMS, ...COMMON_WORDS]) add(w);
const strings = new TextEncoder().encode(words.join("\0") + "\0");
const skeleton = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false }).pack(META_SKELETON);

// Last, so that it is the cheapest to refer to: the body of a real, small package.
const work = mkdtempSync(join(tmpdir(), "eunomia-dict-"));
let sampleBody: Uint8Array;
try {
  const built = await build({ source: join(import.meta.dir, "sample.bpf.c"), outDir: work });
  sampleBody = msgpackBody(await Bun.file(built.packagePath).json()).body;
} finally {
  rmSync(work, { recursive: true, force: true });
}
const out = new Uint8Array(strings.length + skeleton.length + sampleBody.length);
out.set(strings, 0);
out.set(skeleton, strings.length);
out.set(sampleBody, strings.length + skeleton.length);

const sha256 = new Bun.CryptoHasher("sha256").update(out).digest("hex");
const base64Lines = Buffer.from(out).toString("base64").match(/.{1,100}/g)!.map((l) => `  "${l}"`).join(" +\n");
await Bun.write(outPath, `/**
 * The compression dictionary of the MessagePack package form, version 2: ${out.length} bytes made by
 * tools/msgpack-dictionary/generate.ts from a Linux kernel's BTF (kernel type and member
 * names, ELF section names, metadata keys). Part of the format: packages written with it
 * need these exact bytes to be read, so this file is never regenerated for version 2 (the
 * test beside it pins its SHA-256).
 */
export const MSGPACK_DICTIONARY_SHA256 = "${sha256}";

/** The dictionary, base64. */
export const MSGPACK_DICTIONARY_BASE64 =
${base64Lines};
`);
console.log(`wrote ${outPath}: ${out.length} bytes, sha256 ${sha256}`);
