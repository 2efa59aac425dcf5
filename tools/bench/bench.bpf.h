/* The event bench.bpf.c sends to user space: the first struct here is the export type.
 * Its shape is that of a typical tracing tool's event: ids, a sequence number, a
 * timestamp, the task name and a few syscall arguments (56 bytes, 64 in the ring). */
#ifndef __BENCH_BPF_H
#define __BENCH_BPF_H

#define TASK_COMM_LEN 16

struct event {
	int pid;
	int tid;
	unsigned int uid;
	unsigned int cpu;
	/* The generator's own counter, passed as lseek's offset: 0, 1, ..., N-1. */
	unsigned long long seq;
	unsigned long long ts_ns;
	char comm[TASK_COMM_LEN];
	unsigned int fd;
	unsigned int whence;
};

#endif /* __BENCH_BPF_H */
