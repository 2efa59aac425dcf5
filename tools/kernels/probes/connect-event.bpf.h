/* The event probe-lsm sends: the first struct here is the export type. */
#ifndef __CONNECT_EVENT_H
#define __CONNECT_EVENT_H

struct connect_event {
	int pid;
	unsigned short family;
	unsigned short port;
	unsigned int addr;
	char comm[16];
};

#endif /* __CONNECT_EVENT_H */
