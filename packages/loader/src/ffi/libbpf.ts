/**
 * libbpf bindings, opened lazily on first use. Required symbols (present in libbpf
 * 1.1, Debian 12) are one table; newer ones are in a separate optional table and
 * bound one by one, so a missing symbol only disables its own feature.
 */
import { dlopen, FFIType, type Library } from "bun:ffi";
import { LibbpfError } from "../errors.ts";
import { installPrintCallback } from "./print-capture.ts";

const LIBBPF_SYMBOLS = {
  // libbpf_print_fn_t libbpf_set_print(libbpf_print_fn_t fn)
  libbpf_set_print: { args: [FFIType.ptr], returns: FFIType.ptr },
  // const char *libbpf_version_string(void)
  libbpf_version_string: { args: [], returns: FFIType.ptr },
  // struct bpf_object *bpf_object__open_mem(const void *obj_buf, size_t obj_buf_sz, const struct bpf_object_open_opts *opts)
  bpf_object__open_mem: { args: [FFIType.ptr, FFIType.u64, FFIType.ptr], returns: FFIType.ptr },
  // int bpf_object__load(struct bpf_object *obj)
  bpf_object__load: { args: [FFIType.ptr], returns: FFIType.i32 },
  // void bpf_object__close(struct bpf_object *obj)
  bpf_object__close: { args: [FFIType.ptr], returns: FFIType.void },
  // const char *bpf_object__name(const struct bpf_object *obj)
  bpf_object__name: { args: [FFIType.ptr], returns: FFIType.ptr },
  // struct bpf_program *bpf_object__next_program(const struct bpf_object *obj, struct bpf_program *prog)
  bpf_object__next_program: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.ptr },
  // struct bpf_map *bpf_object__next_map(const struct bpf_object *obj, const struct bpf_map *map)
  bpf_object__next_map: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.ptr },
  // const char *bpf_program__name(const struct bpf_program *prog)
  bpf_program__name: { args: [FFIType.ptr], returns: FFIType.ptr },
  // const char *bpf_program__section_name(const struct bpf_program *prog)
  bpf_program__section_name: { args: [FFIType.ptr], returns: FFIType.ptr },
  // bool bpf_program__autoload(const struct bpf_program *prog)
  bpf_program__autoload: { args: [FFIType.ptr], returns: FFIType.bool },
  // int bpf_program__set_autoload(struct bpf_program *prog, bool autoload)
  bpf_program__set_autoload: { args: [FFIType.ptr, FFIType.bool], returns: FFIType.i32 },
  // int bpf_program__fd(const struct bpf_program *prog)
  bpf_program__fd: { args: [FFIType.ptr], returns: FFIType.i32 },
  // struct bpf_link *bpf_program__attach(const struct bpf_program *prog)
  bpf_program__attach: { args: [FFIType.ptr], returns: FFIType.ptr },
  // int bpf_link__destroy(struct bpf_link *link)
  bpf_link__destroy: { args: [FFIType.ptr], returns: FFIType.i32 },
  // const char *bpf_map__name(const struct bpf_map *map)
  bpf_map__name: { args: [FFIType.ptr], returns: FFIType.ptr },
  // enum bpf_map_type bpf_map__type(const struct bpf_map *map)
  bpf_map__type: { args: [FFIType.ptr], returns: FFIType.u32 },
  // __u32 bpf_map__key_size(const struct bpf_map *map)
  bpf_map__key_size: { args: [FFIType.ptr], returns: FFIType.u32 },
  // __u32 bpf_map__value_size(const struct bpf_map *map)
  bpf_map__value_size: { args: [FFIType.ptr], returns: FFIType.u32 },
  // __u32 bpf_map__max_entries(const struct bpf_map *map)
  bpf_map__max_entries: { args: [FFIType.ptr], returns: FFIType.u32 },
  // int bpf_map__fd(const struct bpf_map *map)
  bpf_map__fd: { args: [FFIType.ptr], returns: FFIType.i32 },
  // const void *bpf_map__initial_value(struct bpf_map *map, size_t *psize)
  bpf_map__initial_value: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.ptr },
  // int bpf_obj_get_info_by_fd(int bpf_fd, void *info, __u32 *info_len)
  bpf_obj_get_info_by_fd: { args: [FFIType.i32, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  // int bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags)
  bpf_map_update_elem: { args: [FFIType.i32, FFIType.ptr, FFIType.ptr, FFIType.u64], returns: FFIType.i32 },
  // int bpf_map_delete_elem(int fd, const void *key)
  bpf_map_delete_elem: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
  // int bpf_map_lookup_elem(int fd, const void *key, void *value)
  bpf_map_lookup_elem: { args: [FFIType.i32, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  // int bpf_map_get_next_key(int fd, const void *key, void *next_key)  (key NULL: the first key)
  bpf_map_get_next_key: { args: [FFIType.i32, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  // int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values,
  //                          __u32 *count, const struct bpf_map_batch_opts *opts)  (in_batch NULL: from the start)
  bpf_map_lookup_batch: { args: [FFIType.i32, FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  // int libbpf_num_possible_cpus(void)
  libbpf_num_possible_cpus: { args: [], returns: FFIType.i32 },
  // --- attach kinds (issue 4) ---
  // struct bpf_link *bpf_program__attach_perf_event(const struct bpf_program *prog, int pfd)
  bpf_program__attach_perf_event: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.ptr },
  // struct bpf_link *bpf_program__attach_uprobe_opts(const struct bpf_program *prog, pid_t pid,
  //     const char *binary_path, size_t func_offset, const struct bpf_uprobe_opts *opts)
  bpf_program__attach_uprobe_opts: {
    args: [FFIType.ptr, FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.ptr],
    returns: FFIType.ptr,
  },
  // struct bpf_link *bpf_program__attach_xdp(const struct bpf_program *prog, int ifindex)
  bpf_program__attach_xdp: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.ptr },
  // int bpf_xdp_attach(int ifindex, int prog_fd, __u32 flags, const struct bpf_xdp_attach_opts *opts)
  bpf_xdp_attach: { args: [FFIType.i32, FFIType.i32, FFIType.u32, FFIType.ptr], returns: FFIType.i32 },
  // int bpf_xdp_detach(int ifindex, __u32 flags, const struct bpf_xdp_attach_opts *opts)
  bpf_xdp_detach: { args: [FFIType.i32, FFIType.u32, FFIType.ptr], returns: FFIType.i32 },
  // int bpf_tc_hook_create(struct bpf_tc_hook *hook)
  bpf_tc_hook_create: { args: [FFIType.ptr], returns: FFIType.i32 },
  // int bpf_tc_hook_destroy(struct bpf_tc_hook *hook)
  bpf_tc_hook_destroy: { args: [FFIType.ptr], returns: FFIType.i32 },
  // int bpf_tc_attach(const struct bpf_tc_hook *hook, struct bpf_tc_opts *opts)
  bpf_tc_attach: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  // int bpf_tc_detach(const struct bpf_tc_hook *hook, const struct bpf_tc_opts *opts)
  bpf_tc_detach: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
  // int libbpf_find_vmlinux_btf_id(const char *name, enum bpf_attach_type attach_type)
  libbpf_find_vmlinux_btf_id: { args: [FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  // int bpf_prog_load(enum bpf_prog_type type, const char *name, const char *license,
  //     const struct bpf_insn *insns, size_t insn_cnt, struct bpf_prog_load_opts *opts)
  bpf_prog_load: {
    args: [FFIType.u32, FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.u64, FFIType.ptr],
    returns: FFIType.i32,
  },
} as const;

const OPTIONAL_SYMBOLS = {
  // int bpf_map_get_info_by_fd(int map_fd, struct bpf_map_info *info, __u32 *info_len)  (libbpf 1.2)
  bpf_map_get_info_by_fd: { args: [FFIType.i32, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
} as const;

type Required = Library<typeof LIBBPF_SYMBOLS>["symbols"];
type Optional = Partial<Library<typeof OPTIONAL_SYMBOLS>["symbols"]>;

/** Which shared library to open; `EUNOMIA_LIBBPF` may name another path. */
export function libbpfPath(): string {
  return process.env.EUNOMIA_LIBBPF || "libbpf.so.1";
}

let required: Required | undefined;
let optional: Optional | undefined;

/**
 * The required libbpf bindings; dlopens libbpf and installs the log callback on the
 * first call. Throws {@link LibbpfError} (ENOENT) if libbpf or a symbol is missing.
 */
export function libbpf(): Required {
  if (!required) {
    const path = libbpfPath();
    try {
      required = dlopen(path, LIBBPF_SYMBOLS).symbols;
    } catch (cause) {
      throw new LibbpfError(`dlopen ${path}`, 2, { detail: String(cause), cause });
    }
    installPrintCallback(required.libbpf_set_print);
  }
  return required;
}

/** Newer libbpf functions; each is undefined when this libbpf lacks it. */
export function libbpfOptional(): Optional {
  if (!optional) {
    libbpf();
    const found: Record<string, unknown> = {};
    for (const [name, signature] of Object.entries(OPTIONAL_SYMBOLS)) {
      try {
        found[name] = dlopen(libbpfPath(), { [name]: signature }).symbols[name];
      } catch {
        // Absent in this libbpf: callers fall back to an older function.
      }
    }
    optional = found as Optional;
  }
  return optional;
}
