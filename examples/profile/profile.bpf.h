/* The event profile.bpf.c sends: the first struct here is the export type. */
#ifndef __PROFILE_H
#define __PROFILE_H

struct event {
	int pid;
	unsigned int cpu;
	char comm[16];
};

#endif /* __PROFILE_H */
