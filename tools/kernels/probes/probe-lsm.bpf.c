// SPDX-License-Identifier: MIT
/* One event per IPv4 connect(2), from the LSM hook socket_connect; it allows every
 * connection (returns the previous verdict). Port in host order, address as sent. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "connect-event.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("lsm/socket_connect")
int BPF_PROG(probe_lsm, struct socket *sock, struct sockaddr *address, int addrlen, int ret)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)address;
	struct connect_event *e;

	if (address->sa_family != AF_INET)
		return ret;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return ret;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->family = address->sa_family;
	e->port = bpf_ntohs(sin->sin_port);
	e->addr = sin->sin_addr.s_addr;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return ret;
}
