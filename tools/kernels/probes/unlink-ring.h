/* Shared by the unlink probes: the ring buffer and the one function that fills and
 * sends an event, so each attach kind must decode to the same fields. */
#ifndef __UNLINK_RING_H
#define __UNLINK_RING_H

#include "unlink-event.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

/* name may be NULL (a return probe no longer has the argument). */
static __always_inline void send_unlink(int dfd, const char *name, long long ret)
{
	struct unlink_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->dfd = dfd;
	e->ret = ret;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	e->filename[0] = 0;
	if (name)
		bpf_probe_read_kernel_str(&e->filename, sizeof(e->filename), name);
	bpf_ringbuf_submit(e, 0);
}

#endif /* __UNLINK_RING_H */
