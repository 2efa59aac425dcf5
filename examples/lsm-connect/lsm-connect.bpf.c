// SPDX-License-Identifier: MIT
/* An LSM program that refuses IPv4 connections to one port (--blocked-port). Where
 * the kernel refuses LSM programs (EPERM at load) ecli says so in one line. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define EPERM 1

/* Destination port whose connections are refused. */
const volatile unsigned short blocked_port = 9;

SEC("lsm/socket_connect")
int BPF_PROG(lsm_connect, struct socket *sock, struct sockaddr *address, int addrlen, int ret)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)address;

	if (ret != 0)
		return ret;
	if (address->sa_family == AF_INET && bpf_ntohs(sin->sin_port) == blocked_port)
		return -EPERM;
	return 0;
}
