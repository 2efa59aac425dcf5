// SPDX-License-Identifier: MIT
/* User space of bootstrap in WebAssembly: loads bootstrap.bpf.c's object (embedded by
 * `ecli build --wasm`), sets its flags, and formats the exec/exit events itself.
 *
 *   ecli run app.wasm [-d MIN_DURATION_MS] [-p PID]
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "bootstrap.skel.h" /* generated; includes eunomia-wasm.h */
#include "bootstrap.bpf.h"

static int handle_event(void *ctx, void *data, size_t size) {
  const struct event *e = data;
  char ts[16];
  time_t now = time(NULL);
  (void)ctx;
  if (size < sizeof(*e)) {
    printf("short event: %zu bytes\n", size);
    return 0;
  }
  strftime(ts, sizeof(ts), "%H:%M:%S", gmtime(&now));
  if (e->exit_event) {
    printf("%-8s %-5s %-16s %-7d %-7d [%u]", ts, "EXIT", e->comm, e->pid, e->ppid, e->exit_code);
    if (e->duration_ns) printf(" (%llums)", e->duration_ns / 1000000);
    printf("\n");
  } else {
    printf("%-8s %-5s %-16s %-7d %-7d %s\n", ts, "EXEC", e->comm, e->pid, e->ppid, e->filename);
  }
  return 0;
}

static void usage(const char *name) {
  fprintf(stderr, "usage: %s [-d MIN_DURATION_MS] [-p PID]\n", name);
}

int main(int argc, char **argv) {
  long min_duration_ms = 0;
  int target_pid = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-d") == 0 && i + 1 < argc) min_duration_ms = strtol(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc) target_pid = (int)strtol(argv[++i], NULL, 10);
    else {
      usage(argv[0]);
      return 2;
    }
  }

  struct bootstrap_bpf *skel = bootstrap_bpf__open();
  if (!skel) return 1;
  skel->rodata->min_duration_ns = (unsigned long long)min_duration_ms * 1000000ULL;
  skel->rodata->target_pid = target_pid;

  int err = bootstrap_bpf__load(skel);
  if (err) {
    fprintf(stderr, "failed to load the BPF object\n");
    goto out;
  }
  err = bootstrap_bpf__attach(skel);
  if (err) {
    fprintf(stderr, "failed to attach: %d\n", err);
    goto out;
  }
  struct eunomia_buffer *rb = eunomia_buffer_open(skel->skel.handle, "wasm_rb", handle_event, NULL, sizeof(struct event));
  if (!rb) {
    err = -1;
    fprintf(stderr, "failed to open the ring buffer\n");
    goto out;
  }
  printf("%-8s %-5s %-16s %-7s %-7s %s\n", "TIME", "EVENT", "COMM", "PID", "PPID", "FILENAME/EXIT CODE");
  for (;;) {
    err = eunomia_buffer_poll(rb, 100);
    if (err == -EINTR) { /* Ctrl-C */
      err = 0;
      break;
    }
    if (err < 0) {
      fprintf(stderr, "error polling the ring buffer: %d\n", err);
      break;
    }
  }
  eunomia_buffer_free(rb);
out:
  bootstrap_bpf__destroy(skel);
  return err < 0 ? -err : err;
}
