/* The event exec-btf.bpf.c sends: the first struct here is the export type. */
#ifndef __EXEC_BTF_H
#define __EXEC_BTF_H

struct event {
	/* 1: raw_tp, 2: tp_btf */
	int source;
	int pid;
	int old_pid;
	char filename[64];
};

#endif /* __EXEC_BTF_H */
