// SPDX-License-Identifier: MIT
/* A sampled hash map printed as key/value rows: write(2) calls and bytes per (process,
 * file descriptor), printed by `ecli run` every 500 ms as a table (or JSON lines with -j).
 * Only the process target_pid is counted when it is set. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Count only this process (thread-group id); 0 counts every process. */
const volatile pid_t target_pid = 0;

struct write_key {
	u32 pid;
	u32 fd;
};

struct write_stats {
	u64 writes;
	u64 bytes;
};

/// Writes and bytes written per process and file descriptor, since the program started.
/// @sample {"interval": 500, "type": "default_kv"}
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct write_key);
	__type(value, struct write_stats);
} writes SEC(".maps");

SEC("tp/syscalls/sys_enter_write")
int handle_write(struct trace_event_raw_sys_enter *ctx)
{
	static const struct write_stats zero;
	struct write_key key;
	struct write_stats *stats;

	key.pid = bpf_get_current_pid_tgid() >> 32;
	if (target_pid && key.pid != target_pid)
		return 0;
	key.fd = (u32)ctx->args[0];
	stats = bpf_map_lookup_elem(&writes, &key);
	if (!stats) {
		bpf_map_update_elem(&writes, &key, &zero, BPF_NOEXIST);
		stats = bpf_map_lookup_elem(&writes, &key);
		if (!stats)
			return 0;
	}
	__sync_fetch_and_add(&stats->writes, 1);
	__sync_fetch_and_add(&stats->bytes, ctx->args[2]);
	return 0;
}
