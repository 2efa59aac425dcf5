// SPDX-License-Identifier: MIT
/* Receives exec() events from a perf event array and prints one line each.
 *
 *   ecli run app.wasm [PARENT_PID]
 */
#include <stdio.h>
#include "exec.skel.h"
#include "exec.bpf.h"

static int on_event(void *ctx, void *data, size_t size) {
  const struct exec_event *e = data;
  (void)ctx;
  if (size >= sizeof(*e)) printf("exec pid=%d ppid=%d comm=%s\n", e->pid, e->ppid, e->comm);
  return 0;
}

int main(int argc, char **argv) {
  struct exec_bpf *skel = exec_bpf__open();
  if (!skel) return 1;
  if (argc > 1) skel->rodata->parent_pid = (int)strtol(argv[1], NULL, 10);
  int err = exec_bpf__load(skel);
  if (!err) err = exec_bpf__attach(skel);
  struct eunomia_buffer *events = err ? NULL : eunomia_buffer_open(skel->skel.handle, "exec_events", on_event, NULL, 0);
  if (!events) {
    exec_bpf__destroy(skel);
    return 1;
  }
  for (;;) {
    err = eunomia_buffer_poll(events, 100);
    if (err == -EINTR) break;
    if (err < 0) {
      fprintf(stderr, "poll: %d\n", err);
      break;
    }
  }
  eunomia_buffer_free(events);
  exec_bpf__destroy(skel);
  return err < 0 && err != -EINTR ? 1 : 0;
}
