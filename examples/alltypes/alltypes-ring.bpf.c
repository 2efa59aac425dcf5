// SPDX-License-Identifier: MIT
/* Sends one event of every C type through a ring buffer each time the target process
 * probes a process with kill(pid, 0), which delivers nothing. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "fill-event.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

/* Reservations that failed because the ring was full (read by ecli, see loader README). */
__u64 eunomia_lost_events;
static unsigned int seq;

SEC("tp/syscalls/sys_enter_kill")
int on_kill(struct trace_event_raw_sys_enter *ctx)
{
	struct event *e;

	/* Only kill(pid, 0) probes from the target: real signals (SIGINT to ecli...) are not events. */
	if ((bpf_get_current_pid_tgid() >> 32) != target_pid || ctx->args[1] != 0)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&eunomia_lost_events, 1);
		return 0;
	}
	/* The tests trigger from one thread: a plain increment numbers events in order. */
	fill_event(e, seq++);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
