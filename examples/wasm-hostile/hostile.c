// SPDX-License-Identifier: MIT
/* A module that misbehaves on purpose, one way per argument, to show that the host
 * refuses each with a clear error and leaves nothing loaded. Built with the object of
 * examples/wasm-map embedded:
 *
 *   ecli build --wasm hostile.c ../wasm-map/map.bpf.c && ecli run hostile.wasm <case>
 */
#include <stdio.h>
#include "map.skel.h"

#define FAR_AWAY ((void *)0x7ffffff0) /* far beyond a small module's memory */

static int sample(void *ctx, void *data, size_t size) {
  (void)ctx; (void)data; (void)size;
  return 0;
}

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "";
  struct map_bpf *skel = map_bpf__open_and_load();
  if (!skel) return 1;
  uint64_t h = skel->skel.handle;
  int fd = eunomia_skel_map_fd(&skel->skel, "values");
  uint32_t key = 1;
  uint64_t value = 1;
  int rc = 0;

  if (strcmp(what, "bad-object-pointer") == 0) {
    wasm_load_bpf_object(FAR_AWAY, 64);
  } else if (strcmp(what, "huge-length") == 0) {
    wasm_load_bpf_object(skel->skel.object, 0x7fffffff);
  } else if (strcmp(what, "bad-key-pointer") == 0) {
    eunomia_map_update(fd, FAR_AWAY, &value, BPF_ANY);
  } else if (strcmp(what, "bad-name-pointer") == 0) {
    wasm_bpf_map_fd_by_name(h, FAR_AWAY);
  } else if (strcmp(what, "huge-poll-buffer") == 0) {
    char small[8];
    wasm_bpf_buffer_poll(h, fd, (int32_t)(uintptr_t)sample, 0, small, 0x7fffffff, 10);
  } else if (strcmp(what, "unknown-handle") == 0) {
    rc = wasm_attach_bpf_program(h + 12345, "count_exec", NULL);
    printf("attach on unknown handle: %s\n", rc == -EINVAL ? "EINVAL" : "?");
    rc = wasm_bpf_map_fd_by_name(0, "values");
    printf("map fd on handle 0: %s\n", rc == -EINVAL ? "EINVAL" : "?");
    rc = wasm_close_bpf_object(h + 1);
    printf("close unknown handle: %s\n", rc == -EINVAL ? "EINVAL" : "?");
  } else if (strcmp(what, "foreign-fd") == 0) {
    /* fd 0 is the host's stdin, not a map of this module's objects. */
    rc = eunomia_map_lookup(0, &key, &value);
    printf("lookup on fd 0: %s\n", rc == -EBADF ? "EBADF" : "?");
  } else if (strcmp(what, "bad-callback") == 0) {
    char buf[64];
    wasm_bpf_buffer_poll(h, eunomia_skel_map_fd(&skel->skel, "spare_rb"), 99999, 0, buf, sizeof(buf), 10);
  } else if (strcmp(what, "read-file") == 0 && argc > 2) {
    /* Files exist for the module only inside a directory granted with --wasm-dir. */
    FILE *f = fopen(argv[2], "r");
    char line[128];
    if (!f) {
      printf("cannot open %s: %s\n", argv[2], strerror(errno));
      rc = 1;
    } else {
      while (fgets(line, sizeof(line), f)) printf("read: %s", line);
      fclose(f);
    }
  } else if (strcmp(what, "trap") == 0) {
    __builtin_trap();
  } else {
    fprintf(stderr, "unknown case %s\n", what);
    rc = 2;
  }
  map_bpf__destroy(skel);
  return rc < 0 ? 3 : rc;
}
