/* The event tc-count.bpf.c sends: the first struct here is the export type. */
#ifndef __TC_COUNT_H
#define __TC_COUNT_H

struct event {
	/* EtherType, host order (2048 = IPv4, 2054 = ARP, 34525 = IPv6) */
	unsigned short eth_proto;
	/* IPv4 protocol (1 = ICMP, 6 = TCP, 17 = UDP); 0 when not IPv4 */
	unsigned char ip_proto;
	/* ICMP type (8 = echo request, 0 = echo reply) when ip_proto is 1 */
	unsigned char icmp_type;
	unsigned int len;
};

#endif /* __TC_COUNT_H */
