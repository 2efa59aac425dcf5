// SPDX-License-Identifier: MIT
/* Reports every packet arriving on an interface (`ecli run --iface NAME`) with its
 * EtherType, IPv4 protocol and ICMP type, and lets it pass. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xdp-count.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define ETH_P_IP 0x0800
#define IPPROTO_ICMP_NUM 1

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct event *e;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return XDP_PASS;
	e->eth_proto = bpf_ntohs(eth->h_proto);
	e->ip_proto = 0;
	e->icmp_type = 0;
	e->len = end - data;
	if (e->eth_proto == ETH_P_IP) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) <= end) {
			e->ip_proto = ip->protocol;
			if (ip->protocol == IPPROTO_ICMP_NUM && ip->ihl == 5) {
				struct icmphdr *icmp = (void *)(ip + 1);

				if ((void *)(icmp + 1) <= end)
					e->icmp_type = icmp->type;
			}
		}
	}
	bpf_ringbuf_submit(e, 0);
	return XDP_PASS;
}
