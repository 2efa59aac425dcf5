/*
 * eunomia-wasm.h: write the user-space side of an eBPF program in C, compiled to
 * WebAssembly (clang --target=wasm32-wasi), and run it with `ecli run app.wasm`.
 *
 * The host ABI (import module "wasm_bpf") is the one of the original wasm-bpf runtime,
 * so a module may use either this header or the original SDK. On top of it this header
 * gives small helpers: ring/perf buffer polling with a callback, map operations, and
 * the skeleton functions that `ecli build --wasm` generates into <obj>.skel.h.
 *
 * Pointers passed to the host are checked against the module's memory: a bad one ends
 * the run with a clear error. Handles and fds of objects the module did not load are
 * refused with a negative errno.
 */
#ifndef EUNOMIA_WASM_H
#define EUNOMIA_WASM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The kernel's integer names, so that a program's shared .bpf.h compiles here too. */
typedef uint8_t __u8;
typedef int8_t __s8;
typedef uint16_t __u16;
typedef int16_t __s16;
typedef uint32_t __u32;
typedef int32_t __s32;
typedef uint64_t __u64;
typedef int64_t __s64;

#define EUNOMIA_IMPORT(name) __attribute__((import_module("wasm_bpf"), import_name(#name)))

/* ---- The host ABI ------------------------------------------------------------ */

/** Opens and loads a BPF ELF object held in memory; returns its handle, 0 on failure. */
EUNOMIA_IMPORT(wasm_load_bpf_object)
uint64_t wasm_load_bpf_object(const void *object, int size);

/** Attaches program `name` of the object (`target`: an interface name for XDP, else NULL). 0 or -errno. */
EUNOMIA_IMPORT(wasm_attach_bpf_program)
int wasm_attach_bpf_program(uint64_t object, const char *name, const char *target);

/** The fd of map `name` of the object, or -errno. */
EUNOMIA_IMPORT(wasm_bpf_map_fd_by_name)
int wasm_bpf_map_fd_by_name(uint64_t object, const char *name);

/**
 * Waits up to `timeout_ms` for records of ring buffer or perf event array `fd`. Each is
 * copied to `data` (cut to `max_size` bytes) and the function at index `sample_func` of
 * the module's table is called as `int fn(void *ctx, void *data, size_t size)`.
 * Returns the number of records, -EINTR once the run is asked to stop (Ctrl-C), or -errno.
 */
EUNOMIA_IMPORT(wasm_bpf_buffer_poll)
int wasm_bpf_buffer_poll(uint64_t object, int fd, int32_t sample_func, uint32_t ctx, char *data, int max_size,
                         int timeout_ms);

/** `cmd`: one of the EUNOMIA_MAP_* commands below. 0 or -errno (-ENOENT: no such key / no next key). */
EUNOMIA_IMPORT(wasm_bpf_map_operate)
int wasm_bpf_map_operate(int fd, int cmd, const void *key, void *value, void *next_key, uint64_t flags);

/** Detaches every program of the object and closes it. */
EUNOMIA_IMPORT(wasm_close_bpf_object)
int wasm_close_bpf_object(uint64_t object);

/* ---- Maps -------------------------------------------------------------------- */

enum {
  EUNOMIA_MAP_LOOKUP = 1,
  EUNOMIA_MAP_UPDATE = 2,
  EUNOMIA_MAP_DELETE = 3,
  EUNOMIA_MAP_NEXT_KEY = 4,
};

#ifndef BPF_ANY
#define BPF_ANY 0     /* create or replace */
#define BPF_NOEXIST 1 /* create only */
#define BPF_EXIST 2   /* replace only */
#endif

static inline int eunomia_map_lookup(int fd, const void *key, void *value) {
  return wasm_bpf_map_operate(fd, EUNOMIA_MAP_LOOKUP, key, value, NULL, 0);
}

static inline int eunomia_map_update(int fd, const void *key, const void *value, uint64_t flags) {
  return wasm_bpf_map_operate(fd, EUNOMIA_MAP_UPDATE, key, (void *)value, NULL, flags);
}

static inline int eunomia_map_delete(int fd, const void *key) {
  return wasm_bpf_map_operate(fd, EUNOMIA_MAP_DELETE, key, NULL, NULL, 0);
}

/** The key after `key` (NULL: the first key) into `next_key`; -ENOENT after the last. */
static inline int eunomia_map_next_key(int fd, const void *key, void *next_key) {
  return wasm_bpf_map_operate(fd, EUNOMIA_MAP_NEXT_KEY, key, NULL, next_key, 0);
}

/* ---- Ring and perf buffers --------------------------------------------------- */

/** Called once per record; `data` is valid only during the call. */
typedef int (*eunomia_sample_fn)(void *ctx, void *data, size_t size);

struct eunomia_buffer {
  uint64_t object;
  int fd;
  eunomia_sample_fn fn;
  void *ctx;
  char *data;
  int max_size;
};

/** Largest record a buffer receives unless told otherwise. */
#define EUNOMIA_BUFFER_MAX 4096

/** A buffer on map `map_name` of `object`, calling `fn(ctx, data, size)` per record; NULL on failure. */
static inline struct eunomia_buffer *eunomia_buffer_open(uint64_t object, const char *map_name, eunomia_sample_fn fn,
                                                         void *ctx, int max_size) {
  int fd = wasm_bpf_map_fd_by_name(object, map_name);
  if (fd < 0) return NULL;
  if (max_size <= 0) max_size = EUNOMIA_BUFFER_MAX;
  struct eunomia_buffer *b = calloc(1, sizeof(*b));
  if (!b) return NULL;
  b->data = malloc((size_t)max_size);
  if (!b->data) {
    free(b);
    return NULL;
  }
  b->object = object;
  b->fd = fd;
  b->fn = fn;
  b->ctx = ctx;
  b->max_size = max_size;
  return b;
}

/** Waits up to `timeout_ms` and handles what arrived: the record count, -EINTR on Ctrl-C, or -errno. */
static inline int eunomia_buffer_poll(struct eunomia_buffer *b, int timeout_ms) {
  /* A function pointer in wasm32 is its index in the module's table. */
  return wasm_bpf_buffer_poll(b->object, b->fd, (int32_t)(uintptr_t)b->fn, (uint32_t)(uintptr_t)b->ctx, b->data,
                              b->max_size, timeout_ms);
}

static inline void eunomia_buffer_free(struct eunomia_buffer *b) {
  if (!b) return;
  free(b->data);
  free(b);
}

/* ---- Skeletons (generated by `ecli build --wasm` into <obj>.skel.h) ----------- */

/** One embedded BPF object: its ELF bytes (writable until load), its programs, its handle once loaded. */
struct eunomia_skel {
  unsigned char *object;
  size_t size;
  const char *const *programs;
  int program_count;
  uint64_t handle;
};

/** Reads a little-endian integer of `n` bytes at `p`. */
static inline uint64_t eunomia__le(const unsigned char *p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

/**
 * The bytes of ELF section `name` inside the embedded object (e.g. ".rodata"), so the
 * program's `const volatile` globals can be set before load; NULL when absent.
 */
static inline void *eunomia_skel_section(struct eunomia_skel *s, const char *name, size_t *size) {
  const unsigned char *e = s->object;
  if (s->size < 64 || memcmp(e, "\177ELF", 4) != 0 || e[4] != 2 /* ELFCLASS64 */) return NULL;
  uint64_t shoff = eunomia__le(e + 0x28, 8);
  uint64_t shentsize = eunomia__le(e + 0x3a, 2), shnum = eunomia__le(e + 0x3c, 2), shstrndx = eunomia__le(e + 0x3e, 2);
  if (shentsize < 64 || shoff + shnum * shentsize > s->size || shstrndx >= shnum) return NULL;
  const unsigned char *strtab = e + shoff + shstrndx * shentsize;
  uint64_t names = eunomia__le(strtab + 0x18, 8);
  for (uint64_t i = 0; i < shnum; i++) {
    const unsigned char *sh = e + shoff + i * shentsize;
    uint64_t at = names + eunomia__le(sh, 4);
    if (at >= s->size || strncmp((const char *)e + at, name, s->size - at) != 0) continue;
    uint64_t off = eunomia__le(sh + 0x18, 8), len = eunomia__le(sh + 0x20, 8);
    if (off + len > s->size) return NULL;
    if (size) *size = (size_t)len;
    return s->object + off;
  }
  return NULL;
}

/** Loads the object into the kernel: 0, or -1 (the host printed why). */
static inline int eunomia_skel_load(struct eunomia_skel *s) {
  s->handle = wasm_load_bpf_object(s->object, (int)s->size);
  return s->handle ? 0 : -1;
}

/** Attaches every program: 0 or the first -errno. */
static inline int eunomia_skel_attach(struct eunomia_skel *s) {
  for (int i = 0; i < s->program_count; i++) {
    int err = wasm_attach_bpf_program(s->handle, s->programs[i], NULL);
    if (err) return err;
  }
  return 0;
}

/** The fd of map `name`, or -errno. */
static inline int eunomia_skel_map_fd(struct eunomia_skel *s, const char *name) {
  return wasm_bpf_map_fd_by_name(s->handle, name);
}

/** Detaches and closes the object (if loaded). */
static inline void eunomia_skel_destroy(struct eunomia_skel *s) {
  if (s->handle) wasm_close_bpf_object(s->handle);
  s->handle = 0;
}

#endif /* EUNOMIA_WASM_H */
