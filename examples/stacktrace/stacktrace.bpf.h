/* The event stacktrace.bpf.c sends to user space: the first struct here is the export
 * type. Its field names are the ones the `stack_trace` interpreter reads by default. */
#ifndef __STACKTRACE_H
#define __STACKTRACE_H

#define TASK_COMM_LEN 16
#define MAX_STACK_DEPTH 128

typedef __u64 stack_trace_t[MAX_STACK_DEPTH];

struct stacktrace_event {
	__u32 pid;
	__u32 cpu_id;
	char comm[TASK_COMM_LEN];
	/* bpf_get_stack()'s results: bytes written, or a negative errno. */
	__s32 kstack_sz;
	__s32 ustack_sz;
	stack_trace_t kstack;
	stack_trace_t ustack;
};

#endif /* __STACKTRACE_H */
