// SPDX-License-Identifier: MIT
/* A WebAssembly module that updates, looks up, deletes and walks a hash map of its
 * BPF object, then waits (up to 10 s) until the kernel side has counted an exec().
 *
 *   ecli run app.wasm
 */
#include <stdio.h>
#include <time.h>
#include "map.skel.h"

static void show(int fd, uint32_t key) {
  uint64_t value = 0;
  int err = eunomia_map_lookup(fd, &key, &value);
  if (err == -ENOENT) printf("lookup %u: no entry\n", key);
  else if (err) printf("lookup %u: error %d\n", key, err);
  else printf("lookup %u: %llu\n", key, (unsigned long long)value);
}

int main(void) {
  struct map_bpf *skel = map_bpf__open_and_load();
  if (!skel) return 1;
  int err = map_bpf__attach(skel);
  if (err) goto out;
  int values = eunomia_skel_map_fd(&skel->skel, "values");
  int execs = eunomia_skel_map_fd(&skel->skel, "execs");
  if (values < 0 || execs < 0) {
    err = 1;
    goto out;
  }

  for (uint32_t key = 1; key <= 3; key++) {
    uint64_t value = key * 100;
    err = eunomia_map_update(values, &key, &value, BPF_ANY);
    printf("update %u = %llu: %d\n", key, (unsigned long long)value, err);
  }
  uint32_t two = 2;
  uint64_t again = 7;
  printf("update 2 (BPF_NOEXIST): %s\n", eunomia_map_update(values, &two, &again, BPF_NOEXIST) == -EEXIST ? "EEXIST" : "?");
  show(values, 2);
  printf("delete 2: %d\n", eunomia_map_delete(values, &two));
  printf("delete 2 again: %s\n", eunomia_map_delete(values, &two) == -ENOENT ? "ENOENT" : "?");
  show(values, 2);

  /* Walk every key; the kernel's order is not sorted, so sum them. */
  uint32_t key, next, count = 0;
  uint64_t sum = 0;
  for (int e = eunomia_map_next_key(values, NULL, &next); e == 0; e = eunomia_map_next_key(values, &key, &next)) {
    uint64_t value;
    if (eunomia_map_lookup(values, &next, &value) == 0) sum += value;
    key = next;
    count++;
  }
  printf("walk: %u keys, values sum to %llu\n", count, (unsigned long long)sum);

  /* The BPF program counts exec() calls into execs[0]. */
  uint32_t zero = 0;
  uint64_t seen = 0;
  for (int i = 0; i < 100 && seen == 0; i++) {
    struct timespec pause = {0, 100 * 1000 * 1000};
    eunomia_map_lookup(execs, &zero, &seen);
    if (seen == 0 && nanosleep(&pause, NULL) != 0) break;
  }
  printf("execs counted: %s\n", seen > 0 ? "yes" : "no");
  err = 0;
out:
  map_bpf__destroy(skel);
  return err ? 1 : 0;
}
