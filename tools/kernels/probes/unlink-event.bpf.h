/* The event the unlink probes send: the first struct here is the export type. */
#ifndef __UNLINK_EVENT_H
#define __UNLINK_EVENT_H

struct unlink_event {
	int pid;
	int dfd;
	long long ret;
	char comm[16];
	char filename[64];
};

#endif /* __UNLINK_EVENT_H */
