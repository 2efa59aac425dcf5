// SPDX-License-Identifier: MIT
/* A uprobe and a uretprobe on one user-space function taking two integers: the
 * entry reports the arguments, the return reports the result. The sections name no
 * binary: give it with `ecli run --uprobe-binary PATH --uprobe-func NAME`
 * (and `--pid N` to watch one process). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "uprobe.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

static void send(int is_return, long long a, long long b, long long ret)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->is_return = is_return;
	e->a = a;
	e->b = b;
	e->ret = ret;
	bpf_ringbuf_submit(e, 0);
}

SEC("uprobe")
int BPF_KPROBE(add_entry, long long a, long long b)
{
	send(0, a, b, 0);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(add_return, long long ret)
{
	send(1, 0, 0, ret);
	return 0;
}
