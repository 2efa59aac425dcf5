/* The event uprobe.bpf.c sends: the first struct here is the export type. */
#ifndef __UPROBE_H
#define __UPROBE_H

struct event {
	int pid;
	/* 0 on entry (a, b set), 1 on return (ret set) */
	int is_return;
	long long a;
	long long b;
	long long ret;
};

#endif /* __UPROBE_H */
