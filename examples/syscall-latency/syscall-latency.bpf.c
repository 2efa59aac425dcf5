// SPDX-License-Identifier: MIT
/* System call latency as a log2 histogram per system call, kept in a per-CPU hash map
 * for the exporter to read at scrape time (the ebpf_exporter model): raw_syscalls
 * sys_enter stamps the thread, sys_exit adds one to the {syscall, log2(usecs)} slot.
 * A second map counts calls per syscall. No events are sent to user space. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define MAX_SLOT 26

/* Packed, no padding: the exporter cuts the key into 4 + 4 bytes of labels. */
struct latency_key {
	u32 syscall;
	u32 slot;
};

/// Count only this process (thread-group id); 0 counts every process.
/// @cmdarg {"default": 0, "short": "p", "long": "target-pid"}
const volatile int target_pid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u64);
	__type(value, u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct latency_key);
	__type(value, u64);
} syscall_latency SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, u64);
} syscall_count SEC(".maps");

static __always_inline bool traced(u64 id)
{
	return !target_pid || (id >> 32) == (u64)target_pid;
}

static __always_inline u32 log2_slot(u64 v)
{
	u32 slot = 0;

	/* Bounded loop: floor(log2(v)) + 1 for v >= 1, 0 for 0. */
	for (int i = 0; i < MAX_SLOT && v > 0; i++) {
		v >>= 1;
		slot++;
	}
	return slot;
}

SEC("tp/raw_syscalls/sys_enter")
int handle_enter(struct trace_event_raw_sys_enter *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u64 ts;

	if (!traced(id))
		return 0;
	ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &id, &ts, BPF_ANY);
	return 0;
}

SEC("tp/raw_syscalls/sys_exit")
int handle_exit(struct trace_event_raw_sys_exit *ctx)
{
	static const u64 zero;
	u64 id = bpf_get_current_pid_tgid();
	struct latency_key key = {};
	u64 *tsp, *count;
	u32 nr;

	if (!traced(id))
		return 0;
	tsp = bpf_map_lookup_elem(&start, &id);
	if (!tsp)
		return 0;
	nr = (u32)ctx->id;
	key.syscall = nr;
	key.slot = log2_slot((bpf_ktime_get_ns() - *tsp) / 1000);
	bpf_map_delete_elem(&start, &id);

	count = bpf_map_lookup_elem(&syscall_latency, &key);
	if (!count) {
		bpf_map_update_elem(&syscall_latency, &key, &zero, BPF_NOEXIST);
		count = bpf_map_lookup_elem(&syscall_latency, &key);
		if (!count)
			return 0;
	}
	*count += 1; /* per-CPU: no other CPU writes this copy */

	count = bpf_map_lookup_elem(&syscall_count, &nr);
	if (!count) {
		bpf_map_update_elem(&syscall_count, &nr, &zero, BPF_NOEXIST);
		count = bpf_map_lookup_elem(&syscall_count, &nr);
		if (!count)
			return 0;
	}
	__sync_fetch_and_add(count, 1);
	return 0;
}
