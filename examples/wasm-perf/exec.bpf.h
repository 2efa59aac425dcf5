/* The event exec.bpf.c sends through its perf event array. */
#ifndef __EXEC_BPF_H
#define __EXEC_BPF_H

struct exec_event {
	int pid;
	int ppid;
	char comm[16];
};

#endif /* __EXEC_BPF_H */
