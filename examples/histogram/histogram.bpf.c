// SPDX-License-Identifier: MIT
/* Sizes of write(2) calls as log2 histograms, one per (process, file descriptor),
 * printed every second by `ecli run` in the layout of BCC's histogram tools. Only the
 * process target_pid is traced when it is set. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define MAX_SLOTS 32

/* Trace only this process (thread-group id); 0 traces every process. */
const volatile pid_t target_pid = 0;

struct hist_key {
	u32 pid;
	u32 fd;
};

struct hist {
	u64 bytes;
	u32 slots[MAX_SLOTS];
};

/// Write sizes per process and file descriptor: total bytes, then the log2 histogram.
/// @sample {"interval": 1000, "type": "log2_hist", "unit": "bytes", "clear_map": true}
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct hist_key);
	__type(value, struct hist);
} hists SEC(".maps");

/* floor(log2(v)) for v > 0, and 0 for 0: the slot of v in a BCC log2 histogram. */
static __always_inline u32 log2_u64(u64 v)
{
	u32 r = 0, shift;

	shift = (v > 0xffffffffULL) << 5; v >>= shift; r |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	return r | (u32)(v >> 1);
}

SEC("tp/syscalls/sys_enter_write")
int handle_write(struct trace_event_raw_sys_enter *ctx)
{
	static const struct hist zero;
	struct hist_key key;
	struct hist *h;
	u64 count;
	u32 slot;

	key.pid = bpf_get_current_pid_tgid() >> 32;
	if (target_pid && key.pid != target_pid)
		return 0;
	key.fd = (u32)ctx->args[0];
	count = ctx->args[2];

	h = bpf_map_lookup_elem(&hists, &key);
	if (!h) {
		bpf_map_update_elem(&hists, &key, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &key);
		if (!h)
			return 0;
	}
	slot = log2_u64(count);
	if (slot >= MAX_SLOTS)
		slot = MAX_SLOTS - 1;
	__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&h->bytes, count);
	return 0;
}
