// SPDX-License-Identifier: MIT
/* The same events as alltypes-ring.bpf.c, through a perf event array. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "fill-event.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
} events SEC(".maps");

/* A per-CPU scratch slot: the event is too large for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct event);
} scratch SEC(".maps");

static unsigned int seq;

SEC("tp/syscalls/sys_enter_kill")
int on_kill(struct trace_event_raw_sys_enter *ctx)
{
	u32 zero = 0;
	struct event *e;

	/* Only kill(pid, 0) probes from the target: real signals (SIGINT to ecli...) are not events. */
	if ((bpf_get_current_pid_tgid() >> 32) != target_pid || ctx->args[1] != 0)
		return 0;
	e = bpf_map_lookup_elem(&scratch, &zero);
	if (!e)
		return 0;
	/* The tests trigger from one thread: a plain increment numbers events in order. */
	fill_event(e, seq++);
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, e, sizeof(*e));
	return 0;
}
