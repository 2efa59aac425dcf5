// SPDX-License-Identifier: MIT
/* The WebAssembly side of tools/bench/wasm-callback.ts: loads tools/bench/bench.bpf.c's
 * object for one thread group, says "ready", sleeps while the generator fills the ring
 * buffer, then times how long its callback path takes to consume N events.
 *
 *   ecli run bench.wasm TGID N SLEEP_MS empty|format
 *
 * "empty": the callback only counts; "format": it also formats each event as a text
 * line with snprintf (as a tool printing events would), without writing it anywhere.
 * Prints one line: events=N ns=T bytes=B
 */
#include <stdio.h>
#include <time.h>
#include "bench.skel.h"
#include "bench.bpf.h"

static unsigned long long events, bytes;
static char line[256];

static int count_only(void *ctx, void *data, size_t size) {
  (void)ctx; (void)data; (void)size;
  events++;
  return 0;
}

static int format(void *ctx, void *data, size_t size) {
  const struct event *e = data;
  (void)ctx; (void)size;
  events++;
  bytes += snprintf(line, sizeof(line), "%d %d %u %u %llu %llu %s %u %u\n", e->pid, e->tid, e->uid, e->cpu, e->seq,
                    e->ts_ns, e->comm, e->fd, e->whence);
  return 0;
}

static unsigned long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (unsigned long long)t.tv_sec * 1000000000ull + t.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s TGID N SLEEP_MS empty|format\n", argv[0]);
    return 2;
  }
  unsigned long long want = strtoull(argv[2], NULL, 10);
  long sleep_ms = strtol(argv[3], NULL, 10);
  eunomia_sample_fn fn = strcmp(argv[4], "format") == 0 ? format : count_only;
  struct bench_bpf *skel = bench_bpf__open();
  if (!skel) return 1;
  skel->rodata->target_tgid = (int)strtol(argv[1], NULL, 10);
  int err = bench_bpf__load(skel) || bench_bpf__attach(skel);
  struct eunomia_buffer *rb = err ? NULL : eunomia_buffer_open(skel->skel.handle, "events", fn, NULL, sizeof(struct event));
  if (!rb) {
    bench_bpf__destroy(skel);
    return 1;
  }
  printf("ready\n");
  fflush(stdout);
  struct timespec pause = {sleep_ms / 1000, (sleep_ms % 1000) * 1000000};
  nanosleep(&pause, NULL);
  unsigned long long t0 = now_ns();
  while (events < want) {
    int n = eunomia_buffer_poll(rb, 1000);
    if (n <= 0) break;
  }
  unsigned long long t1 = now_ns();
  printf("events=%llu ns=%llu bytes=%llu\n", events, t1 - t0, bytes);
  eunomia_buffer_free(rb);
  bench_bpf__destroy(skel);
  return events == want ? 0 : 1;
}
