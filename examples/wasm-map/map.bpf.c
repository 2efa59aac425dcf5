// SPDX-License-Identifier: MIT
/* Maps shared with a WebAssembly module: `values` is written and read only by user
 * space; `execs` counts exec() calls, so the module can see the kernel side at work. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, u32);
	__type(value, u64);
} values SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} execs SEC(".maps");

/* Not used by app.c: gives examples/wasm-hostile a ring buffer to poll. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} spare_rb SEC(".maps");

SEC("tp/sched/sched_process_exec")
int count_exec(void *ctx)
{
	u32 zero = 0;
	u64 *n = bpf_map_lookup_elem(&execs, &zero);

	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}
