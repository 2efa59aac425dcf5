// SPDX-License-Identifier: MIT
/* A TC classifier reporting every packet on an interface's hook
 * (`ecli run --iface NAME --tc-attach egress|ingress`) with its EtherType, IPv4
 * protocol and ICMP type; every packet goes on unchanged. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "tc-count.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define ETH_P_IP 0x0800
#define TC_ACT_OK 0

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tc")
int tc_count(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct event *e;

	if ((void *)(eth + 1) > end)
		return TC_ACT_OK;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return TC_ACT_OK;
	e->eth_proto = bpf_ntohs(eth->h_proto);
	e->ip_proto = 0;
	e->icmp_type = 0;
	e->len = skb->len;
	if (e->eth_proto == ETH_P_IP) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) <= end) {
			e->ip_proto = ip->protocol;
			if (ip->protocol == 1 && ip->ihl == 5) {
				struct icmphdr *icmp = (void *)(ip + 1);

				if ((void *)(icmp + 1) <= end)
					e->icmp_type = icmp->type;
			}
		}
	}
	bpf_ringbuf_submit(e, 0);
	return TC_ACT_OK;
}
