// SPDX-License-Identifier: MIT
/* Files opened with openat(2), in the spirit of libbpf-tools' opensnoop: one event per
 * call with the process, its command and the path asked for. The exporter example
 * (config.yaml) counts opens per pid, comm and filename. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "opensnoop.bpf.h"

/// @brief   Trace openat(2) calls.
/// @details One event per openat(2) with the PID, UID, flags, command and file name.
/// @version 0.1
char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1024 * 1024);
} rb SEC(".maps");

/// Report only this process (thread-group id; 0 traces every process)
/// @cmdarg {"default": 0, "short": "p", "long": "target-pid"}
const volatile int target_pid = 0;

/* Failed reservations (ring buffer full), read by the exporter as lost events. */
__u64 eunomia_lost_events = 0;

SEC("tp/syscalls/sys_enter_openat")
int handle_openat(struct trace_event_raw_sys_enter *ctx)
{
	struct event *e;
	u64 id = bpf_get_current_pid_tgid();
	pid_t pid = id >> 32;

	if (target_pid && pid != target_pid)
		return 0;
	e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&eunomia_lost_events, 1);
		return 0;
	}
	e->pid = pid;
	e->uid = (u32)bpf_get_current_uid_gid();
	e->flags = (int)ctx->args[2];
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	bpf_probe_read_user_str(&e->fname, sizeof(e->fname), (const char *)ctx->args[1]);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
