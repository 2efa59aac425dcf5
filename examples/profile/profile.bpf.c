// SPDX-License-Identifier: MIT
/* A sampling profiler's skeleton: a perf_event program runs on every tick of a
 * CPU clock (`ecli run --freq HZ --cpus LIST`) and reports which process was on
 * the CPU. Idle ticks (pid 0) are left out. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "profile.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("perf_event")
int on_sample(void *ctx)
{
	int pid = bpf_get_current_pid_tgid() >> 32;
	struct event *e;

	if (pid == 0)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = pid;
	e->cpu = bpf_get_smp_processor_id();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}
